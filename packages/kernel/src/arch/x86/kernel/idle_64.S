/*
 * idle_64.S - the idle task's loop, what each CPU runs when it has no task to run
 * (Lego's kernel/sched/idle.c cpu_idle_loop with arch/x86/kernel/process.c default_idle,
 * written out as the instructions they compile to).
 *
 * Every CPU of an SMP machine has an idle task (pid 0); a secondary CPU starts in it. The
 * loop halts with interrupts enabled and, after each interrupt, checks TIF_NEED_RESCHED:
 * set by a reschedule IPI from a CPU that woke a task, or by the tick when a task waits.
 *
 *	while (1) {
 *		local_irq_disable();
 *		if (need_resched())
 *			schedule_idle();
 *		else
 *			safe_halt();		// sti; hlt: the STI shadow lets no interrupt in between
 *	}
 *
 * Symbols this file expects the kernel to supply: the native functions idle_need_resched
 * (%eax = need_resched()) and schedule_idle.
 */
	.text
	.globl	cpu_idle_loop
	.type	cpu_idle_loop, @function
	.p2align 4
cpu_idle_loop:
	cli
	call	idle_need_resched
	testl	%eax, %eax
	jnz	1f
	sti
	hlt
	jmp	cpu_idle_loop
1:
	call	schedule_idle
	jmp	cpu_idle_loop
