/**
 * Disassembly as binutils 2.40's objdump prints it, for x86-64 and i386 (AT&T syntax) and arm64.
 * <ul>
 * <li>{@link org.coroner.disasm.Disassembler#of(Arch)}: decode bytes into
 * {@link org.coroner.disasm.Instruction}s (Capstone 4 through our own JNA binding, its text rewritten
 * to objdump's by {@code AttFormatter} / {@code Arm64Formatter}).</li>
 * <li>{@link org.coroner.disasm.Instruction#text(SymbolResolver)}: the objdump line text, branch
 * targets and RIP-relative operands named by a {@link org.coroner.disasm.SymbolResolver};
 * {@link org.coroner.disasm.ObjdumpSymbols} names them exactly as objdump does for an ELF file.</li>
 * <li>{@link org.coroner.disasm.CodeLine}: an Oops {@code Code:} line decoded as
 * {@code scripts/decodecode} does, faulting instruction marked.</li>
 * <li>{@link org.coroner.disasm.MemoryOperand}: a memory operand taken apart (base, index, scale,
 * displacement), to find the register that held a bad pointer.</li>
 * </ul>
 * A missing {@code libcapstone.so.4} surfaces as a one-line
 * {@link org.coroner.disasm.DisassemblerUnavailableException} telling the user to
 * {@code apt-get install libcapstone4}.
 */
package org.coroner.disasm;
