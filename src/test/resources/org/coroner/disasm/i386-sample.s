# 32-bit kernel-style code: prologues, percpu %fs accesses, string ops, atomics, far pointers,
# segment overrides, padding NOPs with %eiz, system instructions.
	.code32
	.text
	push %ebp
	mov %esp,%ebp
	push %edi
	push %esi
	push %ebx
	sub $0x1c,%esp
	mov 0x8(%ebp),%eax
	mov -0x10(%ebp),%edx
	movl $0x0,-0x14(%ebp)
	mov %fs:0x1234,%eax
	mov %eax,%fs:0x10
	movzbl 0x4(%eax),%ecx
	movswl (%eax,%edx,2),%ebx
	.byte 0x8d, 0x74, 0x26, 0x00
	.byte 0x8d, 0xb4, 0x26, 0x00, 0x00, 0x00, 0x00
	lea 0x0(%esi),%esi
	nop
	xchg %ax,%ax
	nopl 0x0(%eax)
	nopw 0x0(%eax,%eax,1)
	lock incl 0x8(%eax)
	lock cmpxchg %edx,(%ecx)
	lock xadd %eax,0x4(%edx)
	rep movsl %ds:(%esi),%es:(%edi)
	rep stos %eax,%es:(%edi)
	repz cmpsb %es:(%edi),%ds:(%esi)
	cmp $0xffffff80,%eax
	and $0xfffffff0,%esp
	test $0x1,%al
	testb $0x2,0x5(%ebx)
	shl %cl,%eax
	sar %edx
	shrl $0x3,0x8(%eax)
	imul $0x64,%ecx,%edx
	call *%eax
	call *0x10(%ebx)
	jmp *0x8(,%eax,4)
	ljmp $0x10,$0x1000
	lcall *0x4(%eax)
	int $0x80
	int3
	ud2
	iret
	lret
	ret $0x4
	cli
	sti
	hlt
	pushf
	popf
	pusha
	popa
	cltd
	cwtl
	mov %cr0,%eax
	mov %eax,%cr3
	mov %db7,%eax
	mov %ds,%eax
	mov %eax,%es
	push %fs
	pop %gs
	lgdtl (%eax)
	sidtl 0x4(%ebx)
	rdmsr
	wrmsr
	rdtsc
	cpuid
	bswap %eax
	bsf %eax,%edx
	bt %eax,(%edx)
	btsl $0x3,0x4(%eax)
	cmove %edx,%eax
	sete %al
	movsbl %al,%eax
	xor %eax,%eax
	leave
	in $0x60,%al
	out %al,$0x80
	inb (%dx),%al
	outw %ax,(%dx)
	enter $0x10,$0x0
	mov 0x12345678,%eax
	mov %eax,0x12345678
	mov $0xdeadbeef,%ecx
	addl $0x1,0x0(,%eax,4)
	mov %es:(%ebx),%eax
	mov %cs:0x4(%eax),%edx
	mov %ss:(%esp),%eax
	fldl 0x8(%esp)
	fstps (%eax)
	fxsave (%eax)
	emms
	pause
	sysenter
	vmcall
	.byte 0x67, 0x8b, 0x47, 0x08
	.byte 0x67, 0x8b, 0x00
