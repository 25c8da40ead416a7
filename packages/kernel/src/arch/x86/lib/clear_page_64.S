/*
 * clear_page_64.S - clear_page_orig (arch/x86/lib/clear_page_64.S): zero one 4 KiB page
 * with eight quadword stores per turn, 64 turns. do_page_fault uses it to zero the page it
 * maps for a fault taken in the kernel; with interrupts enabled by then, a timer interrupt
 * can arrive in the middle of it, one frame deeper on the same kernel stack.
 *
 * void clear_page_orig(void *page)  %rdi = the page's kernel (direct-map) address
 */
	.text
	.globl	clear_page_orig
	.type	clear_page_orig, @function
	.p2align 4
clear_page_orig:
	xorl	%eax, %eax
	movl	$4096/64, %ecx
	.p2align 4
.Lclear_page_loop:
	decl	%ecx
	movq	%rax, (%rdi)
	movq	%rax, 8(%rdi)
	movq	%rax, 16(%rdi)
	movq	%rax, 24(%rdi)
	movq	%rax, 32(%rdi)
	movq	%rax, 40(%rdi)
	movq	%rax, 48(%rdi)
	movq	%rax, 56(%rdi)
	leaq	64(%rdi), %rdi
	jnz	.Lclear_page_loop
	nop
	ret
	.size	clear_page_orig, . - clear_page_orig
