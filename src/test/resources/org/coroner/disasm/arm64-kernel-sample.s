// Instructions typical of arm64 kernel code that libc rarely uses: system registers, barriers,
// pointer authentication, BTI, exclusives, LSE atomics, exception return, cache maintenance.
	.arch armv8.5-a+memtag
	.text
	paciasp
	autiasp
	pacibsp
	autibsp
	bti c
	bti j
	bti jc
	xpaclri
	stp x29, x30, [sp, #-48]!
	mov x29, sp
	mrs x0, sp_el0
	mrs x1, tpidr_el1
	mrs x2, sctlr_el1
	mrs x3, daif
	mrs x4, currentel
	mrs x5, cntvct_el0
	mrs x6, esr_el1
	mrs x7, far_el1
	mrs x8, elr_el1
	mrs x9, spsr_el1
	mrs x10, ttbr0_el1
	mrs x11, ttbr1_el1
	mrs x12, mpidr_el1
	mrs x13, midr_el1
	mrs x14, tpidr_el0
	mrs x15, vbar_el1
	msr sp_el0, x0
	msr tpidr_el1, x1
	msr daif, x3
	msr daifset, #0x2
	msr daifclr, #0xf
	msr ttbr0_el1, x10
	msr sctlr_el1, x2
	msr pan, #1
	msr spsel, #1
	isb
	dsb sy
	dsb ish
	dsb ishst
	dsb nsh
	dmb ish
	dmb ishld
	dmb ishst
	dmb oshld
	sb
	csdb
	esb
	wfe
	wfi
	yield
	sev
	sevl
	eret
	hvc #0
	smc #0
	svc #0
	brk #0x800
	brk #0x100
	ldxr x0, [x1]
	ldaxr w2, [x3]
	stxr w4, x5, [x6]
	stlxr w7, w8, [x9]
	ldar x10, [x11]
	stlr x12, [x13]
	ldarb w14, [x15]
	stlrh w16, [x17]
	ldadd x0, x1, [x2]
	ldaddal w3, w4, [x5]
	stadd x6, [x7]
	staddl w8, [x9]
	ldclral x10, x11, [x12]
	ldsetal x13, x14, [x15]
	ldeoral w16, w17, [x18]
	swpal x19, x20, [x21]
	casal x22, x23, [x24]
	casb w0, w1, [x2]
	ldumax x3, x4, [x5]
	prfm pldl1keep, [x0]
	prfm pstl1strm, [x1, #64]
	dc civac, x0
	dc cvac, x1
	dc zva, x2
	ic ivau, x3
	ic iallu
	tlbi vmalle1is
	tlbi vae1is, x0
	at s1e1r, x0
	ldp x19, x20, [sp, #16]
	ldr x0, [x1, #3688]
	ldr w2, [x3, x4, lsl #2]
	ldr x5, [x6, w7, sxtw #3]
	ldrsw x8, [x9, #-4]
	stur x10, [x29, #-8]
	str xzr, [x0, #8]
	add x0, x1, #0x5d0
	add x2, x3, #0x1, lsl #12
	sub sp, sp, #0x40
	and x0, x0, #0xfffffffffffffff8
	tst w1, #0x4
	mov x0, #0xdead
	movk x0, #0xbeef, lsl #16
	mov w1, #-1
	mov x2, #0xffff000000000000
	lsl x3, x4, #3
	lsr w5, w6, #12
	asr x7, x8, #63
	ubfx x9, x10, #4, #8
	sbfiz x11, x12, #2, #32
	bfi w13, w14, #6, #26
	csel x0, x1, x2, eq
	cset w3, ne
	csinc x4, x5, x6, hi
	ccmp x7, #0x3, #0x4, ls
	cmp x8, x9, lsl #2
	neg x10, x11
	mvn w12, w13
	madd x14, x15, x16, x17
	udiv w18, w19, w20
	rbit x21, x22
	clz x23, x24
	rev x25, x26
	b.eq 1f
	b.ne 1f
	b.cs 1f
	b.cc 1f
	b.mi 1f
	b.ge 1f
	b.lt 1f
	cbz x0, 1f
	cbnz w1, 1f
	tbz x2, #63, 1f
	tbnz w3, #5, 1f
	bl 1f
	adr x4, 1f
	adrp x5, 1f
1:	blr x8
	br x16
	braa x0, x1
	blraaz x2
	retaa
	ret
	irg x0, sp
	stg x0, [x0]
	ldg x1, [x2]
	nop
	udf #0
