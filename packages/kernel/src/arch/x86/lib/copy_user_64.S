/*
 * copy_user_64.S - copy_from_user / copy_to_user, as the Lego kernel does them
 * (arch/x86/lib/copy_user_64.S): one `rep movsb`, whose fault on a user page is an
 * ordinary kernel-mode #PF. do_page_fault resolves it when the page lies in a VMA (the
 * `rep` then resumes where it stopped); otherwise the exception table sends the CPU to the
 * fixup, which returns how many bytes were not copied.
 *
 * The model's syscall handlers copy present pages directly; a copy that meets a page not
 * yet mapped comes here, so the fault, the nested frames and any interrupt taken meanwhile
 * happen on the task's kernel stack as they would on the real machine.
 */
	.text

/*
 * unsigned long copy_user_enhanced_fast_string(void *to, const void *from, unsigned len)
 * %rdi = to, %rsi = from, %edx = len. Returns %eax = bytes left uncopied (0 on success).
 */
	.globl	copy_user_enhanced_fast_string
	.type	copy_user_enhanced_fast_string, @function
	.p2align 4
copy_user_enhanced_fast_string:
	movl	%edx, %ecx
.Lcopy_user_rep:
	rep movsb
	xorl	%eax, %eax
	ret

	/* the fixup: %ecx counts the bytes the faulting rep did not move */
.Lcopy_user_fixup:
	movl	%ecx, %eax
	ret
	.size	copy_user_enhanced_fast_string, . - copy_user_enhanced_fast_string

/*
 * The exception table (asm/extable.h): pairs of (faulting instruction, fixup). A kernel-mode
 * fault at an instruction listed here continues at its fixup instead of oopsing.
 */
	.p2align 3
	.globl	__start___ex_table
__start___ex_table:
	.quad	.Lcopy_user_rep, .Lcopy_user_fixup
	.globl	__stop___ex_table
__stop___ex_table:
