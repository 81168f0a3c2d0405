// SPDX-License-Identifier: GPL-2.0
/*
 * watchpoint.ko's debugfs files (the list is in core.c): what is written to
 * them is parsed and checked here, what they show formatted here. The work
 * is done elsewhere: accesses in access.c, benchmarks in bench.c.
 */
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/hw_breakpoint.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/perf_event.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <asm/daifflags.h>
#include <asm/hw_breakpoint.h>

#include "watchpoint.h"

#define WP_MAX_ACCESSES		1000000UL
#define WP_PROBE_MAX		16

static struct dentry *wp_dir;
static unsigned long wp_peek_offset;
static DEFINE_MUTEX(wp_probe_lock);
static u64 wp_probe_target;

/* Up to @max unsigned numbers (any base) from a user buffer. */
static int wp_parse_numbers(const char __user *ubuf, size_t count,
			    unsigned long *v, int max)
{
	char buf[64], *s = buf, *tok;
	int n = 0;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	while ((tok = strsep(&s, " \t\n"))) {
		if (!*tok)
			continue;
		if (n == max || kstrtoul(tok, 0, &v[n]))
			return -EINVAL;
		n++;
	}
	return n ? n : -EINVAL;
}

/* Is [offset, offset + width) inside the symbol and naturally aligned? */
static bool wp_range_ok(unsigned long off, unsigned long width)
{
	return (width == 1 || width == 2 || width == 4 || width == 8) &&
	       off < wp_sym_size && width <= wp_sym_size - off &&
	       IS_ALIGNED((unsigned long)wp_sym + off, width);
}

/* ---------------------------------------------------------------------- */
/* Accesses on request: write, read, sweep                                */
/* ---------------------------------------------------------------------- */

/* "write" and "read": "<offset> [count] [width]" */
static ssize_t wp_access_write(const char __user *ubuf, size_t count, bool store)
{
	unsigned long v[3] = { 0, 1, 8 };
	int n, ret;

	n = wp_parse_numbers(ubuf, count, v, ARRAY_SIZE(v));
	if (n < 0)
		return n;
	if (!v[1] || v[1] > WP_MAX_ACCESSES || !wp_range_ok(v[0], v[2]))
		return -EINVAL;
	ret = wp_access_request(v[0], v[1], v[2], store);
	return ret ? ret : count;
}

static ssize_t wp_write_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	return wp_access_write(ubuf, count, true);
}

static ssize_t wp_read_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	return wp_access_write(ubuf, count, false);
}

static const struct file_operations wp_write_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = wp_write_write,
	.llseek = noop_llseek,
};

static const struct file_operations wp_read_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = wp_read_write,
	.llseek = noop_llseek,
};

/*
 * "sweep": write "<hi> <lo> [width]" (aligned offsets, hi >= lo, width 8
 * or 4) to store to every entry from offset hi down to lo; read stores,
 * hits, first and last, first and last being the highest and lowest
 * offsets whose store was reported (-1 if none).
 */
static ssize_t wp_sweep_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	unsigned long v[3] = { 0, 0, sizeof(u64) };
	int n, ret;

	n = wp_parse_numbers(ubuf, count, v, ARRAY_SIZE(v));
	if (n < 0)
		return n;
	if (n < 2 || v[0] < v[1] || (v[2] != 4 && v[2] != 8) ||
	    !wp_range_ok(v[0], v[2]) || !wp_range_ok(v[1], v[2]) ||
	    (v[0] - v[1]) % v[2])
		return -EINVAL;
	ret = wp_sweep_request(v[0], v[1], v[2]);
	return ret ? ret : count;
}

static int wp_sweep_show(struct seq_file *m, void *unused)
{
	struct wp_sweep_result r;

	wp_get_last_sweep(&r);
	seq_printf(m, "stores: %lu\n", r.stores);
	seq_printf(m, "hits: %lu\n", r.hits);
	seq_printf(m, "first: %ld\n", r.first);
	seq_printf(m, "last: %ld\n", r.last);
	return 0;
}

static int wp_sweep_open(struct inode *inode, struct file *file)
{
	return single_open(file, wp_sweep_show, NULL);
}

static const struct file_operations wp_sweep_fops = {
	.owner = THIS_MODULE,
	.open = wp_sweep_open,
	.read = seq_read,
	.write = wp_sweep_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* ---------------------------------------------------------------------- */
/* Benchmarks (bench.c)                                                   */
/* ---------------------------------------------------------------------- */

DEFINE_SHOW_ATTRIBUTE(wp_bench);
DEFINE_SHOW_ATTRIBUTE(wp_bench_seed);
DEFINE_SHOW_ATTRIBUTE(wp_bench_hit);

/* ---------------------------------------------------------------------- */
/* Other files                                                            */
/* ---------------------------------------------------------------------- */

static int wp_info_show(struct seq_file *m, void *unused)
{
	unsigned int armed, events;

	wp_count_armed(&armed, &events);

	seq_printf(m, "symbol: %s\n", wp_ksym);
	seq_printf(m, "size: %lu\n", wp_sym_size);
	seq_printf(m, "address: 0x%lx\n", wp_addr);
	seq_printf(m, "offset: %lu\n", wp_offset);
	seq_printf(m, "length: %u\n", wp_len);
	seq_printf(m, "mask: %u\n", wp_mask);
	seq_printf(m, "range: %lu\n", wp_range);
	seq_printf(m, "type: %s\n", wp_type);
	seq_printf(m, "cpus_online: %u\n", num_online_cpus());
	seq_printf(m, "cpus_armed: %u\n", armed);
	seq_printf(m, "events_armed: %u\n", events);
	seq_printf(m, "writer: %s\n", wp_writer_names[wp_writer]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wp_info);

static int wp_hits_show(struct seq_file *m, void *unused)
{
	int cpu;

	seq_printf(m, "total: %lu\n", wp_total_hits());
	for_each_possible_cpu(cpu)
		seq_printf(m, "cpu%d: %lu\n", cpu, wp_cpu_hits(cpu));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wp_hits);

static ssize_t wp_reset_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	wp_reset_hits();
	return count;
}

static const struct file_operations wp_reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = wp_reset_write,
	.llseek = noop_llseek,
};

static ssize_t wp_peek_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	unsigned long off;
	int n;

	n = wp_parse_numbers(ubuf, count, &off, 1);
	if (n < 0)
		return n;
	if (!wp_range_ok(off, sizeof(u64)))
		return -EINVAL;
	WRITE_ONCE(wp_peek_offset, off);
	return count;
}

static ssize_t wp_peek_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	unsigned long off = READ_ONCE(wp_peek_offset), flags;
	char buf[64];
	int n;
	u64 v;

	if (!wp_range_ok(off, sizeof(u64)))
		return -EINVAL;
	/*
	 * Not a reported load even with type=r/rw: PSTATE.D is set, see
	 * tl_writer_legit() in writer.c.
	 */
	flags = local_daif_save();
	v = READ_ONCE(*(u64 *)((unsigned long)wp_sym + off));
	local_daif_restore(flags);

	n = scnprintf(buf, sizeof(buf), "offset: %lu\nvalue: 0x%016llx\n", off, v);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations wp_peek_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = wp_peek_read,
	.write = wp_peek_write,
	.llseek = default_llseek,
};

static int wp_writes_get(void *data, u64 *val)
{
	struct wp_writer_stats s;

	wp_get_writer_stats(&s);
	*val = s.writes;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(wp_writes_fops, wp_writes_get, NULL, "%llu\n");

static int wp_writer_stats_show(struct seq_file *m, void *unused)
{
	struct wp_writer_stats s;

	wp_get_writer_stats(&s);
	seq_printf(m, "mode: %s\n", wp_writer_names[wp_writer]);
	seq_printf(m, "writes: %lu\n", s.writes);
	seq_printf(m, "target: %u\n", wp_writer_target);
	seq_printf(m, "last_index: %u\n", s.last_index);
	seq_printf(m, "last_value: 0x%016llx\n", s.last_value);
	seq_printf(m, "error: %d\n", s.error);
	seq_printf(m, "done: %d\n", s.done);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wp_writer_stats);

/*
 * How many more wide watchpoints the kernel accepts right now: a leaked
 * slot on any CPU shows up as one fewer. All are freed before returning.
 */
static int wp_probe_slots_show(struct seq_file *m, void *unused)
{
	struct perf_event * __percpu *sets[WP_PROBE_MAX];
	struct perf_event_attr attr;
	int n = 0, err = 0, i;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)&wp_probe_target;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.bp_type = HW_BREAKPOINT_W;

	mutex_lock(&wp_probe_lock);
	while (n < WP_PROBE_MAX) {
		sets[n] = register_wide_hw_breakpoint(&attr, wp_nop_handler, NULL);
		if (IS_ERR((void __force *)sets[n])) {
			err = PTR_ERR((void __force *)sets[n]);
			break;
		}
		n++;
	}
	for (i = 0; i < n; i++)
		unregister_wide_hw_breakpoint(sets[i]);
	mutex_unlock(&wp_probe_lock);

	seq_printf(m, "wrps: %d\nextra: %d\nstop: %d\n", get_num_wrps(), n, err);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wp_probe_slots);

void wp_create_debugfs(void)
{
	wp_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("info", 0400, wp_dir, NULL, &wp_info_fops);
	debugfs_create_file("hits", 0400, wp_dir, NULL, &wp_hits_fops);
	debugfs_create_file("reset", 0200, wp_dir, NULL, &wp_reset_fops);
	debugfs_create_file("write", 0200, wp_dir, NULL, &wp_write_fops);
	debugfs_create_file("read", 0200, wp_dir, NULL, &wp_read_fops);
	debugfs_create_file("sweep", 0600, wp_dir, NULL, &wp_sweep_fops);
	debugfs_create_file("bench", 0400, wp_dir, NULL, &wp_bench_fops);
	debugfs_create_file("bench_seed", 0400, wp_dir, NULL,
			    &wp_bench_seed_fops);
	debugfs_create_file("bench_hit", 0400, wp_dir, NULL,
			    &wp_bench_hit_fops);
	debugfs_create_file("peek", 0600, wp_dir, NULL, &wp_peek_fops);
	debugfs_create_file_unsafe("writes", 0400, wp_dir, NULL, &wp_writes_fops);
	debugfs_create_file("writer_stats", 0400, wp_dir, NULL,
			    &wp_writer_stats_fops);
	debugfs_create_file("probe_slots", 0400, wp_dir, NULL,
			    &wp_probe_slots_fops);
}

void wp_remove_debugfs(void)
{
	debugfs_remove_recursive(wp_dir);
}
