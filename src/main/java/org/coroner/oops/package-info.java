/**
 * Finding and naming Linux crash reports in console text.
 *
 * <ul>
 *   <li>{@link org.coroner.oops.LineCleaner} strips what transports add in front of the kernel's
 *       text (printk timestamps and caller ids, syslog/journal/dmesg prefixes, log levels,
 *       {@code \r}) and never fails on bytes that are not UTF-8; {@link org.coroner.oops.LogLine}
 *       keeps the original line number and the printk context.</li>
 *   <li>{@link org.coroner.oops.ReportFinder} finds every report (x86_64, i386, arm64 and the other
 *       formats in {@code OopsCatalog}); a byte-level prefilter ({@code HeaderPrefilter}) keeps it
 *       away from lines that cannot start one.</li>
 *   <li>{@link org.coroner.oops.Titler} titles a report in syzbot's convention, picks the guilty
 *       frame past generic frames ({@code StackRules}) and flags corrupted reports.</li>
 * </ul>
 * Decoding the fields of one report (registers, frames, taint) is {@code org.coroner.oops.decode}'s job.
 */
package org.coroner.oops;
