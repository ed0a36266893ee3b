/**
 * Kernel stacks and backtraces: {@link org.coroner.kernel.stack.Backtracer} unwinds any task (a
 * running one from its CPU's registers in the dump, a sleeping one from {@code thread.sp}) with
 * the ORC data of vmlinux and of the loaded modules ({@link org.coroner.kernel.stack.KernelModules}),
 * on the stacks the task may use ({@link org.coroner.kernel.stack.KernelStackAreas}), and names the
 * frames ({@link org.coroner.kernel.stack.Symbolizer}). {@link org.coroner.kernel.stack.StackScanner}
 * is the separate stack-scanning mode ({@code bt -t/-T/-e}).
 */
package org.coroner.kernel.stack;
