/**
 * The x86_64 ORC unwinder: {@link org.coroner.arch.x86_64.unwind.OrcTable} reads vmlinux's and
 * modules' ORC tables in the three formats kernels have used ({@link org.coroner.arch.x86_64.unwind.OrcFormat}),
 * and {@link org.coroner.arch.x86_64.unwind.OrcUnwinder} walks a stack with the kernel's own rules,
 * from CPU registers or a sleeping task's switch frame, through exception frames and across the
 * IRQ and exception stacks the caller declares ({@link org.coroner.arch.x86_64.unwind.StackMap}).
 * Knows nothing of tasks or modules: the kernel layer ({@code org.coroner.kernel.stack}) supplies
 * the stacks, the ORC lookup and the starting registers.
 */
package org.coroner.arch.x86_64.unwind;
