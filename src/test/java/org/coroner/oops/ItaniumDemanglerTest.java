package org.coroner.oops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Symbols of libstdc++ (Debian 12's libstdc++.so.6.0.30) and of syzkaller's corpus; each expected
 * text is what binutils' c++filt -p prints for it (std abbreviations as without its verbose option).
 */
class ItaniumDemanglerTest {
    @Test
    void plainNestedAndStdNames() {
        assertThat(ItaniumDemangler.demangle("_Z8fakeNameiii")).isEqualTo("fakeName"); // syzkaller's report 747
        assertThat(ItaniumDemangler.demangle("_ZNSt6locale7classicEv")).isEqualTo("std::locale::classic");
        assertThat(ItaniumDemangler.demangle("_ZN9__gnu_cxx18stdio_sync_filebufIcSt11char_traitsIcEE4syncEv"))
                .isEqualTo("__gnu_cxx::stdio_sync_filebuf<char, std::char_traits<char> >::sync");
        assertThat(ItaniumDemangler.demangle("_ZNKSs13get_allocatorEv")).isEqualTo("std::string::get_allocator");
        assertThat(ItaniumDemangler.demangle("_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE12_M_constructIN9__gnu_cxx17__normal_iteratorIPcS4_EEEEvT_SA_St20forward_iterator_tag"))
                .isEqualTo("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::_M_construct"
                        + "<__gnu_cxx::__normal_iterator<char*, std::__cxx11::basic_string<char, std::char_traits<char>,"
                        + " std::allocator<char> > > >");
    }

    @Test
    void constructorsDestructorsOperatorsAndSpecialNames() {
        assertThat(ItaniumDemangler.demangle("_ZNSt13runtime_errorC2EPKc")).isEqualTo("std::runtime_error::runtime_error");
        assertThat(ItaniumDemangler.demangle("_ZNSt13runtime_errorD0Ev")).isEqualTo("std::runtime_error::~runtime_error");
        assertThat(ItaniumDemangler.demangle("_ZNSsC1ERKSs"))
                .isEqualTo("std::basic_string<char, std::char_traits<char>, std::allocator<char> >::basic_string");
        assertThat(ItaniumDemangler.demangle("_ZNKSt9basic_iosIcSt11char_traitsIcEEcvbEv"))
                .isEqualTo("std::basic_ios<char, std::char_traits<char> >::operator bool");
        assertThat(ItaniumDemangler.demangle("_ZStlsISt11char_traitsIcEERSt13basic_ostreamIcT_ES5_PKc"))
                .isEqualTo("std::operator<< <std::char_traits<char> >");
        assertThat(ItaniumDemangler.demangle("_Znwm")).isEqualTo("operator new");
        assertThat(ItaniumDemangler.demangle("_ZNKSt15__exception_ptr13exception_ptrcvMS0_FvvEEv"))
                .isEqualTo("std::__exception_ptr::exception_ptr::operator void (std::__exception_ptr::exception_ptr::*)()");
        assertThat(ItaniumDemangler.demangle("_ZNSt12__shared_ptrINSt10filesystem4_DirELN9__gnu_cxx12_Lock_policyE2EEC1Ev"))
                .isEqualTo("std::__shared_ptr<std::filesystem::_Dir, (__gnu_cxx::_Lock_policy)2>::__shared_ptr");
        assertThat(ItaniumDemangler.demangle("_ZTVSt9bad_alloc")).isEqualTo("vtable for std::bad_alloc");
        assertThat(ItaniumDemangler.demangle("_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE4dataEv.cold"))
                .isEqualTo("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::data");
    }

    @Test
    void variablesAndNotItaniumOrBrokenStaysAsIs() {
        assertThat(ItaniumDemangler.demangle("do_syscall_64")).isEqualTo("do_syscall_64");
        assertThat(ItaniumDemangler.demangle("_Z")).isEqualTo("_Z");
        assertThat(ItaniumDemangler.demangle("_Z8fakeNam")).isEqualTo("_Z8fakeNam"); // length past the end
        assertThat(ItaniumDemangler.demangle("_ZN3foo3barE")).isEqualTo("foo::bar"); // a variable: no types
        assertThat(ItaniumDemangler.demangle("_ZN3foo3bar")).isEqualTo("_ZN3foo3bar"); // nested name without its E
        assertThat(ItaniumDemangler.demangle("_Z3fooiQ")).isEqualTo("_Z3fooiQ");
        assertThat(ItaniumDemangler.demangle("_ZGTtNKSt9exception4whatEv")).isEqualTo("_ZGTtNKSt9exception4whatEv");
    }
}
