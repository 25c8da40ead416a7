/*
 * entry_64.S - the Lego kernel's x86-64 low-level entry and exit code, in GNU as syntax.
 *
 * legosim assembles this text at boot with @legosim/x86's assembler and maps it at the
 * kernel-text address; the same text assembles with GNU as (the tests check that the two
 * produce identical bytes). Its structure follows LegoOS arch/x86/entry/entry_64.S:
 *
 *  - entry_SYSCALL_64: the SYSCALL entry (MSR_LSTAR). Builds struct pt_regs on the task's
 *    kernel stack, calls do_syscall_64(regs), and returns with SYSRET when the saved state
 *    allows it, IRET otherwise.
 *  - ret_from_fork: where a new task starts; it always returns to user mode through IRET.
 *  - idtentry stubs for the exceptions, through error_entry / error_exit.
 *  - apic_timer_interrupt, the IPI vectors (call function, reschedule), the APIC error and
 *    spurious vectors, and the device vector stubs, through the interrupt macro and
 *    ret_from_intr -> retint_user / retint_kernel.
 *
 * Symbols this file expects the kernel to supply (assemble() `symbols`; .data..percpu is
 * linked at 0, so a per-CPU variable's value is its offset from the GS base):
 *   per-CPU offsets:   rsp_scratch, cpu_tss
 *   native functions:  do_syscall_64, syscall_return_slowpath, prepare_exit_to_usermode,
 *                      schedule_tail, do_IRQ, smp_apic_timer_interrupt,
 *                      smp_call_function_single_interrupt, smp_call_function_interrupt,
 *                      smp_reschedule_interrupt, smp_error_interrupt,
 *                      smp_spurious_interrupt, and the do_* exception handlers named in the
 *                      idtentry lines at the end of this file.
 */

/* Selectors (arch/x86/include/asm/segment.h) */
	.set	__KERNEL_CS, 0x10
	.set	__KERNEL_DS, 0x18
	.set	__USER_DS, 0x2b
	.set	__USER_CS, 0x33

	.set	ENOSYS, 38

/* RFLAGS bits (asm/processor-flags.h) */
	.set	X86_EFLAGS_TF, 1 << 8
	.set	X86_EFLAGS_IF, 1 << 9
	.set	X86_EFLAGS_RF, 1 << 16

/* 47-bit user virtual addresses: a canonical ip survives shl/sar by 64-48 */
	.set	__VIRTUAL_MASK_SHIFT, 47

/* struct pt_regs (asm/ptrace.h): offsets from the bottom of the frame */
	.set	R15, 0*8
	.set	R14, 1*8
	.set	R13, 2*8
	.set	R12, 3*8
	.set	RBP, 4*8
	.set	RBX, 5*8
	/* the registers below are saved on every entry; the six above only when needed */
	.set	R11, 6*8
	.set	R10, 7*8
	.set	R9, 8*8
	.set	R8, 9*8
	.set	RAX, 10*8
	.set	RCX, 11*8
	.set	RDX, 12*8
	.set	RSI, 13*8
	.set	RDI, 14*8
	/* syscall number, error code, or ~vector */
	.set	ORIG_RAX, 15*8
	/* the hardware (IRET) frame */
	.set	RIP, 16*8
	.set	CS, 17*8
	.set	EFLAGS, 18*8
	.set	RSP, 19*8
	.set	SS, 20*8
	.set	SIZEOF_PTREGS, 21*8

/* struct x86_hw_tss is packed: reserved1 (u32) at 0, sp0 at 4 */
	.set	TSS_sp0, 4
	/* the top of the current task's kernel stack is the TSS's sp0: there is no variable of its own */
	.set	cpu_current_top_of_stack, cpu_tss + TSS_sp0

/* Vectors (asm/irq_vectors.h) */
	.set	FIRST_EXTERNAL_VECTOR, 0x20
	.set	LOCAL_TIMER_VECTOR, 0xef
	.set	CALL_FUNCTION_SINGLE_VECTOR, 0xfb
	.set	CALL_FUNCTION_VECTOR, 0xfc
	.set	RESCHEDULE_VECTOR, 0xfd
	.set	ERROR_APIC_VECTOR, 0xfe
	.set	SPURIOUS_APIC_VECTOR, 0xff
	.set	FIRST_SYSTEM_VECTOR, LOCAL_TIMER_VECTOR

/* ---------------------------------------------------------------------------------------
 * Register save/restore helpers (asm/calling.h). `offset` is how far above %rsp pt_regs
 * starts, e.g. 8 inside error_entry, which runs below its own return address.
 */
	.macro ENTRY name
	.globl	\name
	.type	\name, @function
	.p2align 4
\name:
	.endm

	.macro END name
	.size	\name, . - \name
	.endm

	/* make room for the 15 general-purpose registers below an orig_ax + IRET frame */
	.macro ALLOC_PT_GPREGS_ON_STACK addskip=0
	addq	$-(15*8 + \addskip), %rsp
	.endm

	.macro REMOVE_PT_GPREGS_FROM_STACK addskip=0
	subq	$-(15*8 + \addskip), %rsp
	.endm

	.macro SAVE_C_REGS offset=0
	movq	%r11, R11+\offset(%rsp)
	movq	%r10, R10+\offset(%rsp)
	movq	%r9, R9+\offset(%rsp)
	movq	%r8, R8+\offset(%rsp)
	movq	%rax, RAX+\offset(%rsp)
	movq	%rcx, RCX+\offset(%rsp)
	movq	%rdx, RDX+\offset(%rsp)
	movq	%rsi, RSI+\offset(%rsp)
	movq	%rdi, RDI+\offset(%rsp)
	.endm

	.macro SAVE_EXTRA_REGS offset=0
	movq	%r15, R15+\offset(%rsp)
	movq	%r14, R14+\offset(%rsp)
	movq	%r13, R13+\offset(%rsp)
	movq	%r12, R12+\offset(%rsp)
	movq	%rbp, RBP+\offset(%rsp)
	movq	%rbx, RBX+\offset(%rsp)
	.endm

	.macro RESTORE_EXTRA_REGS offset=0
	movq	R15+\offset(%rsp), %r15
	movq	R14+\offset(%rsp), %r14
	movq	R13+\offset(%rsp), %r13
	movq	R12+\offset(%rsp), %r12
	movq	RBP+\offset(%rsp), %rbp
	movq	RBX+\offset(%rsp), %rbx
	.endm

	/* rstor_rcx_r11=0 leaves %rcx and %r11 alone: the SYSRET path has loaded them already */
	.macro RESTORE_C_REGS_HELPER rstor_rcx_r11=1
	.if \rstor_rcx_r11
	movq	R11(%rsp), %r11
	.endif
	movq	R10(%rsp), %r10
	movq	R9(%rsp), %r9
	movq	R8(%rsp), %r8
	movq	RAX(%rsp), %rax
	.if \rstor_rcx_r11
	movq	RCX(%rsp), %rcx
	.endif
	movq	RDX(%rsp), %rdx
	movq	RSI(%rsp), %rsi
	movq	RDI(%rsp), %rdi
	.endm

	.macro RESTORE_C_REGS
	RESTORE_C_REGS_HELPER 1
	.endm

	.macro RESTORE_C_REGS_EXCEPT_RCX_R11
	RESTORE_C_REGS_HELPER 0
	.endm

	.text

/*
 * SYSCALL from compatibility mode (MSR_CSTAR): Lego has no 32-bit syscalls.
 */
ENTRY ignore_sysret
	movl	$-ENOSYS, %eax
	sysretl
END ignore_sysret

/* ---------------------------------------------------------------------------------------
 * entry_SYSCALL_64 - the 64-bit SYSCALL entry (MSR_LSTAR).
 *
 * SYSCALL put the user rip in %rcx and rflags in %r11, loaded CS/SS from MSR_STAR, and
 * cleared TF|DF|IF|IOPL|AC|NT (SYSCALL_MASK): interrupts are off until do_syscall_64
 * enables them. %rsp is still the user stack. Arguments: %rax = number, %rdi, %rsi,
 * %rdx, %r10, %r8, %r9.
 *
 * Lego always takes the slow path: the full pt_regs is built, do_syscall_64(regs) runs
 * the handler and prepare_exit_to_usermode, and returns with interrupts disabled.
 */
ENTRY entry_SYSCALL_64
	swapgs
	movq	%rsp, %gs:rsp_scratch
	movq	%gs:cpu_current_top_of_stack, %rsp

	/* the IRET frame, then struct pt_regs, top down */
	pushq	$__USER_DS			/* pt_regs->ss */
	pushq	%gs:rsp_scratch			/* pt_regs->sp */
	pushq	%r11				/* pt_regs->flags */
	pushq	$__USER_CS			/* pt_regs->cs */
	pushq	%rcx				/* pt_regs->ip */
	pushq	%rax				/* pt_regs->orig_ax */
	pushq	%rdi				/* pt_regs->di */
	pushq	%rsi				/* pt_regs->si */
	pushq	%rdx				/* pt_regs->dx */
	pushq	%rcx				/* pt_regs->cx */
	pushq	$-ENOSYS			/* pt_regs->ax */
	pushq	%r8				/* pt_regs->r8 */
	pushq	%r9				/* pt_regs->r9 */
	pushq	%r10				/* pt_regs->r10 */
	pushq	%r11				/* pt_regs->r11 */
	sub	$(6*8), %rsp			/* pt_regs->bp, bx, r12-r15 */

entry_SYSCALL64_slow_path:
	SAVE_EXTRA_REGS
	movq	%rsp, %rdi
	call	do_syscall_64			/* returns with IRQs disabled */

	.globl	return_from_SYSCALL_64
return_from_SYSCALL_64:
	RESTORE_EXTRA_REGS

	/*
	 * SYSRET only to a clean 64-bit user context: the saved state must be exactly what
	 * SYSRET will rebuild from %rcx, %r11 and MSR_STAR. Otherwise IRET.
	 */
	movq	RCX(%rsp), %rcx
	movq	RIP(%rsp), %r11
	cmpq	%rcx, %r11			/* cx == ip */
	jne	opportunistic_sysret_failed

	.ifne __VIRTUAL_MASK_SHIFT - 47
	.error "virtual address width changed -- SYSRET checks need update"
	.endif

	/* sign-extend bit 47 over the top 16 bits: a non-canonical ip changes */
	shl	$(64 - (__VIRTUAL_MASK_SHIFT + 1)), %rcx
	sar	$(64 - (__VIRTUAL_MASK_SHIFT + 1)), %rcx
	cmpq	%rcx, %r11
	jne	opportunistic_sysret_failed

	cmpq	$__USER_CS, CS(%rsp)		/* cs must match what SYSRET loads */
	jne	opportunistic_sysret_failed

	movq	R11(%rsp), %r11
	cmpq	%r11, EFLAGS(%rsp)		/* r11 == flags */
	jne	opportunistic_sysret_failed

	/* SYSRET cannot restore RF, and a TF restored by SYSRET traps right after it */
	testq	$(X86_EFLAGS_RF | X86_EFLAGS_TF), %r11
	jnz	opportunistic_sysret_failed

	cmpq	$__USER_DS, SS(%rsp)		/* ss must match what SYSRET loads */
	jne	opportunistic_sysret_failed

	/* nothing to check for the user %rsp */
	.globl	syscall_return_via_sysret
syscall_return_via_sysret:
	RESTORE_C_REGS_EXCEPT_RCX_R11
	movq	RSP(%rsp), %rsp
	swapgs
	sysretq

	.globl	opportunistic_sysret_failed
opportunistic_sysret_failed:
	swapgs
	jmp	restore_c_regs_and_iret
END entry_SYSCALL_64

/* ---------------------------------------------------------------------------------------
 * ret_from_fork - a new task's first instruction after its first context switch.
 *
 * %rsp points at the task's pt_regs (task_pt_regs), %rax is the task we switched from,
 * %rbx is a kernel thread's function (0 for a user task) and %r12 its argument.
 * The return to user mode is always through IRET.
 */
ENTRY ret_from_fork
	movq	%rax, %rdi
	call	schedule_tail			/* %rdi: prev */

	testq	%rbx, %rbx			/* from kernel_thread? */
	jnz	1f

2:
	movq	%rsp, %rdi
	call	syscall_return_slowpath		/* returns with IRQs disabled */
	swapgs
	jmp	restore_regs_and_iret

1:
	/* kernel thread: run fn(arg); a thread that returns has done an execve */
	movq	%r12, %rdi
	call	*%rbx
	movq	$0, RAX(%rsp)
	jmp	2b
END ret_from_fork

/* ---------------------------------------------------------------------------------------
 * Exceptions.
 *
 * The CPU pushed ss, rsp, rflags, cs, rip and, for #DF #TS #NP #SS #GP #PF #AC, an error
 * code. Vectors without one push -1 in its place, so the slot is always orig_ax. error_entry
 * saves the registers; the handler gets do_xxx(regs, error_code).
 */
	.macro idtentry sym do_sym has_error_code:req
ENTRY \sym
	.ifeq \has_error_code
	pushq	$-1				/* orig_ax: no syscall to restart */
	.endif
	ALLOC_PT_GPREGS_ON_STACK
	call	error_entry
	/* %ebx: 0 = came from user mode (swapgs on exit), 1 = came from the kernel */
	movq	%rsp, %rdi			/* pt_regs */
	.if \has_error_code
	movq	ORIG_RAX(%rsp), %rsi		/* the error code */
	movq	$-1, ORIG_RAX(%rsp)		/* no syscall to restart */
	.else
	xorl	%esi, %esi			/* no error code */
	.endif
	call	\do_sym
	jmp	error_exit
END \sym
	.endm

/*
 * Save all registers in pt_regs (which starts 8 bytes up, above our return address) and
 * switch to the kernel GS base when the exception came from user mode.
 * Returns %ebx = 0 when it did swapgs (user mode), 1 otherwise.
 */
ENTRY error_entry
	cld
	SAVE_C_REGS 8
	SAVE_EXTRA_REGS 8
	xorl	%ebx, %ebx
	testb	$3, CS+8(%rsp)
	jz	.Lerror_kernelspace
	swapgs
	ret

.Lerror_kernelspace:
	incl	%ebx
	ret
END error_entry

/* %ebx from error_entry: 1 = back to the kernel, 0 = back to user mode */
ENTRY error_exit
	movl	%ebx, %eax
	cli
	testl	%eax, %eax
	jnz	retint_kernel
	jmp	retint_user
END error_exit

/* ---------------------------------------------------------------------------------------
 * Interrupts.
 *
 * The stub pushed ~vector (orig_ax). Save everything, switch GS when the interrupt came
 * from user mode, and call func(regs). There is no IRQ stack: the frame sits on the current
 * task's kernel stack, below whatever it was doing (a syscall's pt_regs, a native function).
 * The pt_regs pointer is pushed so that ret_from_intr can pop it back into %rsp.
 */
	.macro interrupt func
	cld
	ALLOC_PT_GPREGS_ON_STACK
	SAVE_C_REGS
	SAVE_EXTRA_REGS

	testb	$3, CS(%rsp)
	jz	1f
	swapgs					/* IRQ from user mode */
1:
	movq	%rsp, %rdi			/* pt_regs */
	pushq	%rdi
	call	\func
	.endm

/* device vectors: the stubs push ~vector + 0x80 (a signed byte), fixed up here */
	.p2align 6
ENTRY common_interrupt
	addq	$-0x80, (%rsp)			/* orig_ax = ~vector */
	interrupt do_IRQ

	.globl	ret_from_intr
ret_from_intr:
	cli
	popq	%rsp				/* back to pt_regs */
	testb	$3, CS(%rsp)
	jz	retint_kernel

	/* back to user mode */
	.globl	retint_user
retint_user:
	movq	%rsp, %rdi
	call	prepare_exit_to_usermode
	swapgs
	jmp	restore_regs_and_iret

	/* back to the kernel: the sample configuration has no kernel preemption */
	.globl	retint_kernel
retint_kernel:

/*
 * Where the paths back to the kernel and to user mode, from interrupts, exceptions and
 * syscalls, merge: restore pt_regs, drop orig_ax, iretq.
 */
	.globl	restore_regs_and_iret
restore_regs_and_iret:
	RESTORE_EXTRA_REGS
restore_c_regs_and_iret:
	RESTORE_C_REGS
	REMOVE_PT_GPREGS_FROM_STACK 8		/* and orig_ax */

	.globl	native_irq_return_iret
native_irq_return_iret:
	iretq
END common_interrupt

/*
 * irq_entries_start - one 8-byte stub per device vector FIRST_EXTERNAL_VECTOR..
 * FIRST_SYSTEM_VECTOR-1; the IDT entry of vector v is irq_entries_start + 8*(v-0x20).
 */
	.p2align 3
ENTRY irq_entries_start
	vector = FIRST_EXTERNAL_VECTOR
	.rept (FIRST_SYSTEM_VECTOR - FIRST_EXTERNAL_VECTOR)
	pushq	$(~vector + 0x80)		/* always a signed byte */
	vector = vector + 1
	jmp	common_interrupt
	.p2align 3
	.endr
END irq_entries_start

/* system vectors: the stub pushes ~vector */
	.macro apicinterrupt num sym do_sym
ENTRY \sym
	pushq	$~(\num)
	interrupt \do_sym
	jmp	ret_from_intr
END \sym
	.endm

apicinterrupt LOCAL_TIMER_VECTOR	apic_timer_interrupt	smp_apic_timer_interrupt
/* the IPIs of an SMP kernel: TLB shootdown (call function) and waking an idle CPU */
apicinterrupt CALL_FUNCTION_SINGLE_VECTOR call_function_single_interrupt smp_call_function_single_interrupt
apicinterrupt CALL_FUNCTION_VECTOR	call_function_interrupt	smp_call_function_interrupt
apicinterrupt RESCHEDULE_VECTOR		reschedule_interrupt	smp_reschedule_interrupt
apicinterrupt ERROR_APIC_VECTOR		error_interrupt		smp_error_interrupt
apicinterrupt SPURIOUS_APIC_VECTOR	spurious_interrupt	smp_spurious_interrupt

/* ---------------------------------------------------------------------------------------
 * Exception entry points (vector: entry, handler, error code pushed by the CPU).
 */
idtentry divide_error			do_divide_error			has_error_code=0	/* 0 #DE */
idtentry debug				do_debug			has_error_code=0	/* 1 #DB */
idtentry nmi				do_nmi				has_error_code=0	/* 2 NMI */
idtentry int3				do_int3				has_error_code=0	/* 3 #BP */
idtentry overflow			do_overflow			has_error_code=0	/* 4 #OF */
idtentry bounds				do_bounds			has_error_code=0	/* 5 #BR */
idtentry invalid_op			do_invalid_op			has_error_code=0	/* 6 #UD */
idtentry device_not_available		do_device_not_available		has_error_code=0	/* 7 #NM */
idtentry double_fault			do_double_fault			has_error_code=1	/* 8 #DF */
idtentry coprocessor_segment_overrun	do_coprocessor_segment_overrun	has_error_code=0	/* 9 */
idtentry invalid_TSS			do_invalid_TSS			has_error_code=1	/* 10 #TS */
idtentry segment_not_present		do_segment_not_present		has_error_code=1	/* 11 #NP */
idtentry stack_segment			do_stack_segment		has_error_code=1	/* 12 #SS */
idtentry general_protection		do_general_protection		has_error_code=1	/* 13 #GP */
idtentry page_fault			do_page_fault			has_error_code=1	/* 14 #PF */
idtentry spurious_interrupt_bug		do_spurious_interrupt_bug	has_error_code=0	/* 15 */
idtentry coprocessor_error		do_coprocessor_error		has_error_code=0	/* 16 #MF */
idtentry alignment_check		do_alignment_check		has_error_code=1	/* 17 #AC */
idtentry machine_check			do_machine_check		has_error_code=0	/* 18 #MC */
idtentry simd_exception			do_simd_exception		has_error_code=0	/* 19 #XM */
idtentry virtualization_exception	do_virtualization_exception	has_error_code=0	/* 20 #VE */
