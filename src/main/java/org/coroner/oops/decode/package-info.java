/**
 * Decoding one kernel crash report's text into facts.
 *
 * <p>Entry point: {@link org.coroner.oops.decode.OopsDecoder#decode(java.util.List)} takes the
 * cleaned lines of one report (the report finder in {@code org.coroner.oops} cuts logs into
 * reports and strips timestamps and caller ids) and returns a {@link org.coroner.oops.decode.DecodedOops}:
 * identity (CPU, PID, comm, release, hardware), taint letters with meanings, the die line, the
 * faulting address and what it means ({@link org.coroner.oops.decode.AddressClassifier}), the x86
 * page-fault error code, the arm64 ESR, register dumps (kernel and user apart), Call Trace frames
 * with stack sections and reliability, linked modules, KASLR offset and the Code: bytes for a
 * disassembler. Records serialize with Jackson; addresses as {@code "0x..."} strings.
 *
 * <p>Nothing here guesses: a field the report does not state stays null, and where a reading
 * depends on something the report does not say (paging levels, VA bits, KASLR) the result names
 * the assumption.
 */
package org.coroner.oops.decode;
