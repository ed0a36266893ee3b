package org.coroner.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.coroner.memory.FaultException;
import org.coroner.memory.VirtualMemory;
import org.coroner.types.BaseTypes;
import org.coroner.types.CType;
import org.coroner.types.TypePrinter;
import org.junit.jupiter.api.Test;

/** C expressions without a dump: numbers, operators with C's conversions, casts, sizeof, errors in gdb's words. */
class ExpressionTest {
    /** A scope with the base types only and no memory: every read faults. */
    private static final Evaluator.Scope LITERALS = new Evaluator.Scope() {
        @Override
        public VirtualMemory memory() {
            return (vaddr, dst, off, len) -> {
                throw new FaultException(vaddr, "no memory in this test", FaultException.Kind.UNMAPPED);
            };
        }

        @Override
        public Optional<Operand> symbol(String name) {
            return Optional.empty();
        }

        @Override
        public Optional<Operand> enumerator(String name) {
            return Optional.empty();
        }

        @Override
        public Optional<CType> type(String cName) {
            return BaseTypes.lookup(cName);
        }

        @Override
        public Optional<Operand> history(int n, boolean relative) {
            return Optional.empty();
        }
    };

    private static Operand eval(String s) {
        return new Evaluator(LITERALS).eval(Expression.parse(s, id -> false));
    }

    private static long value(String s) {
        return eval(s).scalar(LITERALS.memory());
    }

    private static String type(String s) {
        return TypePrinter.name(eval(s).type());
    }

    @Test
    void arithmeticFollowsCPrecedenceAndConversions() {
        assertThat(value("1 + 2 * 3")).isEqualTo(7);
        assertThat(value("(1 + 2) * 3")).isEqualTo(9);
        assertThat(value("10 / 3")).isEqualTo(3);
        assertThat(value("-10 / 3")).isEqualTo(-3);
        assertThat(value("10 % 3")).isEqualTo(1);
        assertThat(value("1 << 4 | 1")).isEqualTo(17);
        assertThat(value("0xff & ~0x0f")).isEqualTo(0xf0);
        assertThat(value("3 ^ 1")).isEqualTo(2);
        assertThat(value("1 ? 2 : 3")).isEqualTo(2);
        assertThat(value("0 || 5 && 1")).isEqualTo(1);
        assertThat(value("10 > 3 == 1")).isEqualTo(1);
        assertThat(value("!0")).isEqualTo(1);
        // unsigned arithmetic wraps at the type's width; -1 as unsigned int is 4294967295
        assertThat(value("(unsigned int)-1") & 0xffffffffL).isEqualTo(4294967295L);
        assertThat(value("(unsigned int)0 - 1") & 0xffffffffL).isEqualTo(4294967295L);
        assertThat(value("(char)321")).isEqualTo(65);
        assertThat(value("(unsigned char)-56")).isEqualTo(200);
        assertThat(value("(short)65535")).isEqualTo(-1);
        assertThat(value("(unsigned long)-1 >> 60")).isEqualTo(15);
        assertThat(value("(long)-1 >> 60")).isEqualTo(-1);
    }

    @Test
    void literalsAndResultsHaveGdbsTypes() {
        assertThat(type("1")).isEqualTo("int");
        assertThat(type("0xffffffff")).isEqualTo("unsigned int");
        assertThat(type("4294967296")).isEqualTo("long");
        assertThat(type("1UL")).isEqualTo("unsigned long");
        assertThat(type("'a'")).isEqualTo("char");
        assertThat(value("'a'")).isEqualTo(97);
        assertThat(value("'\\n'")).isEqualTo(10);
        assertThat(type("(char)1 + (char)1")).isEqualTo("int");
        assertThat(type("1 + 1UL")).isEqualTo("unsigned long");
        assertThat(type("sizeof(int)")).isEqualTo("unsigned long");
        assertThat(value("sizeof(long long)")).isEqualTo(8);
        assertThat(value("sizeof(unsigned short)")).isEqualTo(2);
        assertThat(type("(unsigned long *)0")).isEqualTo("unsigned long *");
        assertThat(value("(int *)0x1000 + 2")).isEqualTo(0x1008);
        assertThat(value("(long *)0x1010 - (long *)0x1000")).isEqualTo(2);
        assertThat(type("(char **)0")).isEqualTo("char **");
    }

    @Test
    void errorsUseGdbsWords() {
        assertThatThrownBy(() -> eval("nosuch")).hasMessage("No symbol \"nosuch\" in current context.");
        assertThatThrownBy(() -> eval("1 +")).hasMessage("A syntax error in expression, near `'.");
        assertThatThrownBy(() -> eval("1 / 0")).hasMessage("Division by zero");
        assertThatThrownBy(() -> eval("(struct nosuch *)0")).hasMessage("No struct type named nosuch.");
        assertThatThrownBy(() -> eval("*1")).hasMessage("Attempt to take contents of a non-pointer value.");
        assertThatThrownBy(() -> eval("&1")).hasMessage("Attempt to take address of value not located in memory.");
        assertThatThrownBy(() -> eval("1 = 2")).hasMessageContaining("cannot modify memory of a dump file");
        assertThatThrownBy(() -> eval("schedule()")).hasMessage("You can't do that without a process to debug.");
        // a read of memory the dump cannot answer is the dump's fault, not a syntax error
        assertThatThrownBy(() -> value("*(int *)0x10")).isInstanceOf(FaultException.class);
    }
}
