// SPDX-License-Identifier: GPL-2.0
/*
 * kprobe_example.ko: a kprobe on a kernel function, arm64 6.1 edition of
 * samples/kprobes/kprobe_example.c as the original notes used it.
 *
 * What changed since those notes: _do_fork() is kernel_clone() (5.10),
 * struct kprobe has no fault_handler any more (5.14), and the handlers
 * print arm64's pc/pstate rate-limited, since kernel_clone() runs on every
 * fork. The hits are counted in debugfs kprobe_example/hits.
 *
 * A symbol that does not exist, or that kprobes refuses (the blacklist in
 * debugfs kprobes/blacklist, non-instruction addresses), fails the load with
 * register_kprobe()'s errno and one message.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>

static char symbol[KSYM_NAME_LEN] = "kernel_clone";
module_param_string(symbol, symbol, KSYM_NAME_LEN, 0444);
MODULE_PARM_DESC(symbol, "function to probe (default kernel_clone)");

static struct kprobe kp = {
	.symbol_name = symbol,
};

static atomic_long_t kp_hits;
static struct dentry *kp_dir;
/* A few lines per 5 s, without __ratelimit()'s console warning. */
static struct ratelimit_state kp_pre_rs =
	RATELIMIT_STATE_INIT_FLAGS(kp_pre_rs, 5 * HZ, 5, RATELIMIT_MSG_ON_RELEASE);
static struct ratelimit_state kp_post_rs =
	RATELIMIT_STATE_INIT_FLAGS(kp_post_rs, 5 * HZ, 5, RATELIMIT_MSG_ON_RELEASE);

/* Before the probed instruction runs (kprobe context: no sleeping). */
static int kp_pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic_long_inc(&kp_hits);
	if (__ratelimit(&kp_pre_rs))
		pr_info("<%s> pre_handler: p->addr = %pS, pc = %pS, pstate = 0x%llx\n",
			p->symbol_name, p->addr, (void *)instruction_pointer(regs),
			regs->pstate);
	return 0;
}

/* After it was single-stepped. */
static void kp_post(struct kprobe *p, struct pt_regs *regs, unsigned long flags)
{
	if (__ratelimit(&kp_post_rs))
		pr_info("<%s> post_handler: p->addr = %pS, pstate = 0x%llx\n",
			p->symbol_name, p->addr, regs->pstate);
}

static int kp_hits_get(void *data, u64 *val)
{
	*val = atomic_long_read(&kp_hits);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(kp_hits_fops, kp_hits_get, NULL, "%llu\n");

static int kp_symbol_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%s\n", symbol);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kp_symbol);

static int __init kp_init(void)
{
	int ret;

	kp.pre_handler = kp_pre;
	kp.post_handler = kp_post;
	ret = register_kprobe(&kp);
	if (ret < 0) {
		pr_err("symbol=%s: register_kprobe failed (%d: %s)\n", symbol, ret,
		       ret == -ENOENT ? "no such symbol" :
		       ret == -EINVAL ? "not probeable, e.g. blacklisted" :
		       "see kprobes");
		return ret;
	}

	kp_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file_unsafe("hits", 0444, kp_dir, NULL, &kp_hits_fops);
	debugfs_create_file("symbol", 0444, kp_dir, NULL, &kp_symbol_fops);
	pr_info("planted kprobe at %pS\n", kp.addr);
	return 0;
}

static void __exit kp_exit(void)
{
	debugfs_remove_recursive(kp_dir);
	unregister_kprobe(&kp);
	pr_info("kprobe at %pS unregistered after %ld hits\n", kp.addr,
		atomic_long_read(&kp_hits));
}

module_init(kp_init);
module_exit(kp_exit);
MODULE_DESCRIPTION("kprobe example: count and log calls of a kernel function");
MODULE_LICENSE("GPL");
