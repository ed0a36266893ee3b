package org.coroner.oops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Symbols from Rust stack traces in syzkaller's corpus (Android binder/ashmem, 6.12). */
class RustDemanglerTest {
    @Test
    void pathsInherentAndTraitImpls() {
        assertThat(RustDemangler.demangle("_RNvNtCs9jEwPDbx20M_4core9panicking9panic_fmt"))
                .isEqualTo("core::panicking::panic_fmt");
        assertThat(RustDemangler.demangle("_RNvCscSpY9Juk0HT_7___rustc17rust_begin_unwind"))
                .isEqualTo("__rustc::rust_begin_unwind");
        assertThat(RustDemangler.demangle("_RNvMs0_NtCshgDM7dBCdno_11rust_binder4nodeNtB5_4Node22update_refcount_locked"))
                .isEqualTo("<rust_binder::node::Node>::update_refcount_locked");
        assertThat(RustDemangler.demangle(
                "_RNvXs1_CscPPBqWtAqum_11ashmem_rustNtB5_6AshmemNtNtCs43vyB533jt3_6kernel10miscdevice10MiscDevice4mmap"))
                .isEqualTo("<ashmem_rust::Ashmem as kernel::miscdevice::MiscDevice>::mmap");
        assertThat(RustDemangler.demangle(
                "_RNvXs1b_NtCs9jEwPDbx20M_4core3fmtRNtNtNtB8_5panic10panic_info9PanicInfoNtB6_7Display3fmtCs43vyB533jt3_6kernel"))
                .isEqualTo("<&core::panic::panic_info::PanicInfo as core::fmt::Display>::fmt");
    }

    @Test
    void notRustOrBrokenStaysAsIs() {
        assertThat(RustDemangler.demangle("do_syscall_64")).isEqualTo("do_syscall_64");
        assertThat(RustDemangler.demangle("_RAX")).isEqualTo("_RAX");
        assertThat(RustDemangler.demangle("_RNvNtCs9jEwPDbx20M_4core9panick")).isEqualTo("_RNvNtCs9jEwPDbx20M_4core9panick");
        assertThat(RustDemangler.demangle("_RNvB9999_3foo")).isEqualTo("_RNvB9999_3foo");
    }
}
