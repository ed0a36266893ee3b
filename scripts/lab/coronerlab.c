// SPDX-License-Identifier: GPL-2.0
// coronerlab: Coroner's own test module. Each load (insmod coronerlab.ko scenario=NAME) makes the
// kernel die of one class of the analyzer's vocabulary that ../shared's crashlab does not cover.
// Test data source only: scripts/make-dumps.sh builds it (scripts/lab/build.sh) and boots the
// fixture kernel with the knobs each scenario needs to panic (see make-dumps.sh).
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/completion.h>
#include <linux/semaphore.h>
#include <linux/rcupdate.h>
#include <linux/preempt.h>
#include <linux/sched.h>

static char *scenario = "double_free";
module_param(scenario, charp, 0444);

struct probe_req {
	int id;
	char tag[12];
	struct list_head link;
	struct probe_ops *ops;
	unsigned long state;
};

struct probe_ops {
	long hits;
	int (*run)(struct probe_req *r);
};

/* Locks the scenarios take through pointers: allocated, never static. */
struct lock_pair {
	spinlock_t first;
	spinlock_t second;
	int users;
};

struct sem_pair {
	struct rw_semaphore left;
	struct rw_semaphore right;
};

static LIST_HEAD(req_queue);
static DEFINE_MUTEX(cfg_mutex);
static DECLARE_COMPLETION(fw_ready);
static DEFINE_SEMAPHORE(io_sem);
static volatile int spin_forever = 1;

/* double_free: the same object freed twice. SLUB's hardened free list sees it is already the
 * head of the CPU's free list (mm/slub.c set_freepointer: "naive detection of double free"). */
static noinline void req_release(struct probe_req *r)
{
	kfree(r);
}

static noinline int lab_double_free(void)
{
	struct probe_req *r = kzalloc(sizeof(*r), GFP_KERNEL);

	r->id = 11;
	preempt_disable();	/* both frees on this CPU's slab */
	req_release(r);
	req_release(r);
	preempt_enable();
	return 0;
}

/* stack_overflow: recursion without a bound; each frame keeps a buffer live across the call so
 * the compiler cannot turn it into a loop. The vmap'ed stack's guard page ends it. */
static noinline unsigned long walk_tree(struct probe_req *r, unsigned long depth)
{
	volatile char frame[192];

	frame[depth % sizeof(frame)] = (char)depth;
	if (r->state != 0x5eed)
		return walk_tree(r, depth + 1) + frame[depth % sizeof(frame)];
	return depth;
}

static noinline int lab_stack_overflow(void)
{
	struct probe_req *r = kzalloc(sizeof(*r), GFP_KERNEL);

	r->state = 1;
	return (int)walk_tree(r, 0);
}

/* warning: a WARN_ON whose condition holds (panic_on_warn=1 turns it into a panic). */
static noinline int check_state(struct probe_req *r)
{
	if (WARN_ON(r->state & 0x4))
		return -EINVAL;
	return 0;
}

static noinline int lab_warning(void)
{
	struct probe_req *r = kzalloc(sizeof(*r), GFP_KERNEL);

	r->state = 0x14;
	return check_state(r);
}

/* list_corruption: a stray write overwrites a queued entry's link.prev; list_del of the entry
 * before it then finds next->prev wrong (CONFIG_DEBUG_LIST, CONFIG_BUG_ON_DATA_CORRUPTION). */
static noinline void scribble(unsigned long *where, unsigned long what)
{
	*where = what;
}

static noinline int lab_list_corruption(void)
{
	struct probe_req *r[3];
	int i;

	for (i = 0; i < 3; i++) {
		r[i] = kzalloc(sizeof(*r[i]), GFP_KERNEL);
		r[i]->id = 20 + i;
		snprintf(r[i]->tag, sizeof(r[i]->tag), "req%d", i);
		list_add_tail(&r[i]->link, &req_queue);
	}
	scribble((unsigned long *)&r[2]->link.prev, 0xffff888000c0ffeeUL);
	list_del(&r[1]->link);
	return 0;
}

/* soft_lockup: a kthread spins with preemption off and never schedules. */
static int busy_poll(void *arg)
{
	preempt_disable();
	while (spin_forever)
		cpu_relax();
	preempt_enable();
	return 0;
}

/* rcu_stall: a kthread spins inside an RCU read-side critical section (preemption on). */
static int rcu_reader(void *arg)
{
	rcu_read_lock();
	while (spin_forever)
		cpu_relax();
	rcu_read_unlock();
	return 0;
}

/* rcu_blocked: a kthread sleeps inside an RCU read-side critical section; preemptible RCU queues
 * it as a blocked reader and the grace period waits for it. */
static int rcu_sleeper(void *arg)
{
	rcu_read_lock();
	while (spin_forever)
		schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
	rcu_read_unlock();
	return 0;
}

/* hard_lockup: a kthread spins with interrupts off; only the NMI watchdog can see it. */
static int irq_off_poll(void *arg)
{
	local_irq_disable();
	while (spin_forever)
		cpu_relax();
	local_irq_enable();
	return 0;
}

/* hung_completion: a kthread waits for a completion that nobody completes. */
static int fw_loader(void *arg)
{
	wait_for_completion(&fw_ready);
	return 0;
}

/* hung_mutex: cfg_owner takes cfg_mutex and sleeps with it held (interruptibly, so it is not a
 * hung task itself); cfg_waiter blocks on the mutex in D state. */
static int cfg_owner(void *arg)
{
	mutex_lock(&cfg_mutex);
	while (spin_forever)
		schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
	mutex_unlock(&cfg_mutex);
	return 0;
}

static int cfg_waiter(void *arg)
{
	msleep(100);
	mutex_lock(&cfg_mutex);
	mutex_unlock(&cfg_mutex);
	return 0;
}

/* hung_semaphore: io_owner takes the (binary) semaphore io_sem and sleeps with it; io_waiter
 * blocks in down() in D state. A semaphore records no owner: only the owner's code shows it. */
static int io_owner(void *arg)
{
	down(&io_sem);
	while (spin_forever)
		schedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);
	up(&io_sem);
	return 0;
}

static int io_waiter(void *arg)
{
	msleep(100);
	down(&io_sem);
	up(&io_sem);
	return 0;
}

/* rwsem_abba: two writers take two allocated rw_semaphores in opposite orders. */
static int sem_lr(void *arg)
{
	struct sem_pair *p = arg;

	down_write(&p->left);
	msleep(200);
	down_write(&p->right);
	up_write(&p->right);
	up_write(&p->left);
	return 0;
}

static int sem_rl(void *arg)
{
	struct sem_pair *p = arg;

	down_write(&p->right);
	msleep(200);
	down_write(&p->left);
	up_write(&p->left);
	up_write(&p->right);
	return 0;
}

/* spin_heap: two CPUs take two allocated spinlocks in opposite orders. */
static int pair_fs(void *arg)
{
	struct lock_pair *p = arg;

	spin_lock(&p->first);
	mdelay(200);
	spin_lock(&p->second);
	p->users++;
	spin_unlock(&p->second);
	spin_unlock(&p->first);
	return 0;
}

static int pair_sf(void *arg)
{
	struct lock_pair *p = arg;

	spin_lock(&p->second);
	mdelay(200);
	spin_lock(&p->first);
	p->users++;
	spin_unlock(&p->first);
	spin_unlock(&p->second);
	return 0;
}

/* bad_pointer: a pointer field holding a non-canonical address (a corrupted value, not NULL,
 * not poison) is followed: general protection fault. */
static noinline long count_hit(struct probe_req *r)
{
	return ++r->ops->hits;
}

static noinline int lab_bad_pointer(void)
{
	struct probe_req *r = kzalloc(sizeof(*r), GFP_KERNEL);

	scribble((unsigned long *)&r->ops, 0x7a11ce5500001000UL);
	return (int)count_hit(r);
}

static void start_on(int (*fn)(void *), void *arg, const char *name, int cpu)
{
	struct task_struct *t = kthread_create(fn, arg, "%s", name);

	if (IS_ERR(t))
		return;
	if (cpu >= 0)
		kthread_bind(t, cpu);
	wake_up_process(t);
}

static int __init coronerlab_init(void)
{
	pr_info("coronerlab: scenario %s\n", scenario);
	if (!strcmp(scenario, "double_free"))
		return lab_double_free();
	if (!strcmp(scenario, "stack_overflow"))
		return lab_stack_overflow();
	if (!strcmp(scenario, "warning"))
		return lab_warning();
	if (!strcmp(scenario, "list_corruption"))
		return lab_list_corruption();
	if (!strcmp(scenario, "bad_pointer"))
		return lab_bad_pointer();
	if (!strcmp(scenario, "soft_lockup")) {
		start_on(busy_poll, NULL, "lab_busy_poll", 1);
		return 0;
	}
	if (!strcmp(scenario, "rcu_stall")) {
		start_on(rcu_reader, NULL, "lab_rcu_reader", 1);
		return 0;
	}
	if (!strcmp(scenario, "rcu_blocked")) {
		start_on(rcu_sleeper, NULL, "lab_rcu_sleeper", -1);
		return 0;
	}
	if (!strcmp(scenario, "hard_lockup")) {
		start_on(irq_off_poll, NULL, "lab_irqoff_poll", 1);
		return 0;
	}
	if (!strcmp(scenario, "hung_completion")) {
		start_on(fw_loader, NULL, "lab_fw_loader", -1);
		return 0;
	}
	if (!strcmp(scenario, "hung_mutex")) {
		start_on(cfg_owner, NULL, "lab_cfg_owner", -1);
		start_on(cfg_waiter, NULL, "lab_cfg_waiter", -1);
		return 0;
	}
	if (!strcmp(scenario, "hung_semaphore")) {
		start_on(io_owner, NULL, "lab_io_owner", -1);
		start_on(io_waiter, NULL, "lab_io_waiter", -1);
		return 0;
	}
	if (!strcmp(scenario, "rwsem_abba")) {
		struct sem_pair *p = kzalloc(sizeof(*p), GFP_KERNEL);

		init_rwsem(&p->left);
		init_rwsem(&p->right);
		start_on(sem_lr, p, "lab_sem_lr", -1);
		start_on(sem_rl, p, "lab_sem_rl", -1);
		return 0;
	}
	if (!strcmp(scenario, "spin_heap")) {
		struct lock_pair *p = kzalloc(sizeof(*p), GFP_KERNEL);

		spin_lock_init(&p->first);
		spin_lock_init(&p->second);
		start_on(pair_fs, p, "lab_pair_fs", 0);
		start_on(pair_sf, p, "lab_pair_sf", 1);
		return 0;
	}
	return -EINVAL;
}

static void __exit coronerlab_exit(void)
{
}

module_init(coronerlab_init);
module_exit(coronerlab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Coroner's crash scenarios for the analyzer's tests");
