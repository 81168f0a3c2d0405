/* SPDX-License-Identifier: GPL-2.0 */
/*
 * watchpoint.ko's internal header: what its files share, and nothing else.
 * None of it is exported; see core.c for what the module does.
 */
#ifndef WPSUITE_WATCHPOINT_H
#define WPSUITE_WATCHPOINT_H

#include <linux/compiler_types.h>
#include <linux/init.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct perf_event;
struct perf_sample_data;
struct pt_regs;
struct seq_file;

enum wp_writer_mode { WP_WRITER_OFF, WP_WRITER_LEGIT, WP_WRITER_SEED };

#define WP_SEED_MAX_COUNT	16
/* The module's own set, plus one per seed write. */
#define WP_MAX_SETS		(1 + WP_SEED_MAX_COUNT)

/* params.c: the parameters read elsewhere (named after the parameter) */
extern char wp_ksym[];			/* ksym */
extern ulong wp_offset;			/* offset */
extern uint wp_len;			/* len */
extern uint wp_mask;			/* mask */
extern char *wp_type;			/* type */
extern bool wp_dump_stack;		/* dump_stack, writable at run time */
extern uint wp_writer_period_ms;	/* writer_period_ms */

/* params.c: what the parameters resolved to; fixed after init */
extern void *wp_sym;			/* __symbol_get(wp_ksym) */
extern unsigned long wp_sym_size;
extern unsigned long wp_addr;		/* wp_sym + offset */
extern unsigned long wp_range;		/* bytes watched: len or 2^mask */
extern u32 wp_bp_type;
extern enum wp_writer_mode wp_writer;
extern unsigned int wp_writer_target;	/* stores tl_writer makes, 0 = no end */
extern bool wp_stores_allowed;		/* only into trampolines.ko's tables */
extern const char * const wp_writer_names[];	/* by enum wp_writer_mode */

int __init wp_parse_params(void);

/* core.c: the registered wide watchpoint sets, under wp_sets_lock */
extern struct perf_event * __percpu *wp_sets[WP_MAX_SETS];
extern unsigned int wp_nsets;
extern struct mutex wp_sets_lock;

int wp_add_set_locked(void);
void wp_count_armed(unsigned int *cpus, unsigned int *events);
void wp_nop_handler(struct perf_event *bp, struct perf_sample_data *data,
		    struct pt_regs *regs);
unsigned long wp_total_hits(void);
unsigned long wp_cpu_hits(int cpu);
void wp_reset_hits(void);

/* writer.c: tl_writer */
struct wp_writer_stats {
	unsigned long writes;
	unsigned int last_index;
	u64 last_value;
	int error;
	bool done;
};

int wp_start_writer(void);
void wp_stop_writer(void);
void wp_get_writer_stats(struct wp_writer_stats *s);

/* access.c: accesses on request; offsets are into the symbol */
struct wp_sweep_result {
	unsigned long stores, hits;
	long first, last;		/* highest and lowest reported, or -1 */
};

int wp_access_request(unsigned long off, unsigned long count,
		      unsigned int width, bool store);
int wp_sweep_request(unsigned long hi, unsigned long lo, unsigned int width);
void wp_get_last_sweep(struct wp_sweep_result *r);
void wp_reap_orphans(void);

/* bench.c: the benchmarks' seq_file show functions */
int wp_bench_show(struct seq_file *m, void *unused);
int wp_bench_seed_show(struct seq_file *m, void *unused);
int wp_bench_hit_show(struct seq_file *m, void *unused);

/* debugfs.c */
void wp_create_debugfs(void);
void wp_remove_debugfs(void);

#endif /* WPSUITE_WATCHPOINT_H */
