package org.coroner.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.kernel.stack.LoadedModule;
import org.coroner.session.Session;
import org.coroner.testing.FixtureSessions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The SLUB model on a kernel booted with {@code slub_debug=FZPU} (red zones, poisoning, alloc/free
 * tracking): crashlab's {@code uaf} scenario frees its lab_dev and then dereferences it, the GPF
 * names the poison 0x6b6b6b6b6b6b6b6b, and RDI holds the freed object
 * ({@code scripts/make-dumps.sh uaf --cmdline slub_debug=FZPU --name qemu-uaf-slub_debug}).
 */
@Tag("fixtures")
class SlubDebugTest {
    private static final String DUMP = "qemu-uaf-slub_debug";
    private static final int POISON_FREE = 0x6b;
    private static final int POISON_END = 0xa5;
    private static final int RED_INACTIVE = 0xbb;
    private static final int RED_ACTIVE = 0xcc;

    private static long register(String name) throws Exception {
        Path log = FixtureSessions.vmcore(DUMP).resolveSibling("console.log");
        Matcher m = Pattern.compile(name + ": ([0-9a-f]{16})").matcher(Files.readString(log));
        assertThat(m.find()).isTrue();
        return Long.parseUnsignedLong(m.group(1), 16);
    }

    private static int pid() throws Exception {
        Path log = FixtureSessions.vmcore(DUMP).resolveSibling("console.log");
        Matcher m = Pattern.compile("CPU: \\d+ PID: (\\d+) Comm: insmod").matcher(Files.readString(log));
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void theFreedDeviceIsAFreeObjectWithItsAllocAndFreeTracks() throws Exception {
        Session s = FixtureSessions.session(DUMP);
        long d = register("RDI"); // lab_use_after_free's d, passed to the poisoned d->ops->probe(d)
        SlabObject o = s.slub().objectAt(d + 0x28).orElseThrow();
        SlabCache c = o.cache();
        assertThat(c.name()).isEqualTo("kmalloc-64");
        assertThat(c.debugFlags()).isEqualTo("FZPU");
        assertThat(o.object()).isEqualTo(d);
        assertThat(o.offset()).isEqualTo(0x28);
        assertThat(o.state()).isEqualTo(SlabObject.State.FREE);
        assertThat(o.freeList()).isEqualTo(SlabObject.FreeList.SLAB_FREELIST);
        assertThat(o.detail()).isEmpty();
        // the poison the GPF names is what the object holds
        assertThat(s.kernel().memory().u64(d + 0x28)).isEqualTo(0x6b6b6b6b6b6b6b6bL).isEqualTo(register("RAX"));

        LoadedModule crashlab = s.backtracer().modules().all().stream().filter(m -> m.name().equals("crashlab")).findFirst().orElseThrow();
        SlubTrack alloc = o.alloc().orElseThrow();
        SlubTrack free = o.free().orElseThrow();
        int pid = pid();
        assertThat(alloc.pid()).isEqualTo(pid);
        assertThat(free.pid()).isEqualTo(pid);
        assertThat(crashlab.contains(alloc.caller())).as("kzalloc called from crashlab").isTrue();
        assertThat(crashlab.contains(free.caller())).as("kfree called from crashlab").isTrue();
        assertThat(free.caller()).isGreaterThan(alloc.caller()); // kfree(d) comes after kzalloc in lab_use_after_free
        assertThat(free.when()).isGreaterThanOrEqualTo(alloc.when());
        assertThat(alloc.stackProblem()).isEmpty();
        assertThat(alloc.stack()).contains(alloc.caller());
        assertThat(alloc.stack().stream().map(a -> s.kernel().symbolAt(a).map(Kernel -> Kernel.name()).orElse("?")))
                .contains("kmalloc_trace", "do_init_module", "do_syscall_64");
        assertThat(free.stack().stream().map(a -> s.kernel().symbolAt(a).map(Kernel -> Kernel.name()).orElse("?")))
                .contains("do_init_module", "do_syscall_64");
    }

    @Test
    void slotRegionsFollowTheDebugLayout() throws Exception {
        Session s = FixtureSessions.session(DUMP);
        long d = register("RDI");
        SlabCache c = s.slub().objectAt(d).orElseThrow().cache();
        assertThat(c.leftPad()).isPositive();
        assertThat(c.freePointerOutside()).isTrue(); // poisoning moves the free pointer out of the object
        assertThat(s.slub().objectAt(d - 1).orElseThrow().region()).isEqualTo(SlabObject.Region.LEFT_RED_ZONE);
        assertThat(s.slub().objectAt(d - 1).orElseThrow().object()).isEqualTo(d);
        assertThat(s.slub().objectAt(d + 63).orElseThrow().region()).isEqualTo(SlabObject.Region.OBJECT);
        assertThat(s.slub().objectAt(d + 64).orElseThrow().region()).isEqualTo(SlabObject.Region.RIGHT_RED_ZONE);
        assertThat(s.slub().objectAt(d + c.offset()).orElseThrow().region()).isEqualTo(SlabObject.Region.FREE_POINTER);
        assertThat(s.slub().objectAt(d + c.infoEnd()).orElseThrow().region()).isEqualTo(SlabObject.Region.TRACKING);
        assertThat(s.slub().objectAt(d + c.size() - c.leftPad() - 1).orElseThrow().region()).isEqualTo(SlabObject.Region.PADDING);
    }

    /**
     * With SLAB_RED_ZONE the kernel writes SLUB_RED_INACTIVE (0xbb) into an object's red zone when
     * it frees it and SLUB_RED_ACTIVE (0xcc) when it allocates it; with SLAB_POISON a free object
     * holds POISON_FREE bytes ending in POISON_END. An independent check of every freelist walk,
     * over every slab on every list of every debug cache (full lists are tracked with SLAB_STORE_USER).
     */
    @Test
    void freeObjectsAreExactlyThoseTheKernelMarkedFree() {
        Session s = FixtureSessions.session(DUMP);
        Slub slub = s.slub();
        int free = 0;
        int allocated = 0;
        int fullSlabs = 0;
        for (SlabCache c : slub.caches()) {
            if (!c.redZone()) {
                continue;
            }
            boolean poisons = c.poison() && c.ctor() == 0 && (c.flags() & SlabCache.SLAB_TYPESAFE_BY_RCU) == 0;
            for (Slub.NodeSlabs n : slub.nodes(c)) {
                assertThat(n.problem()).isEmpty();
                assertThat(n.full()).isPresent();
                fullSlabs += n.full().get().size();
                for (Slab slab : concat(n.partial(), n.full().get())) {
                    Slub.SlabContents sc = slub.contents(slab);
                    assertThat(sc.problem()).as(c.name()).isEmpty();
                    for (int i = 0; i < slab.objects(); i++) {
                        long obj = slab.object(i);
                        SlabObject.State state = sc.state(obj);
                        int redZone = s.kernel().memory().u8(obj + c.objectSize());
                        assertThat(redZone).as("%s object %x %s", c.name(), obj, state)
                                .isEqualTo(state == SlabObject.State.FREE ? RED_INACTIVE : RED_ACTIVE);
                        assertThat(s.kernel().memory().u8(obj - 1)).isEqualTo(redZone); // left red zone
                        if (state == SlabObject.State.FREE) {
                            if (poisons) {
                                byte[] b = s.kernel().memory().read(obj, c.objectSize());
                                assertThat(b[b.length - 1]).isEqualTo((byte) POISON_END);
                                assertThat(Arrays.copyOf(b, b.length - 1)).isEqualTo(filled(b.length - 1));
                            }
                            free++;
                        } else {
                            allocated++;
                        }
                    }
                }
            }
        }
        assertThat(free).isGreaterThan(100);
        assertThat(allocated).isGreaterThan(1000);
        assertThat(fullSlabs).isGreaterThan(10);
    }

    private static java.util.List<Slab> concat(java.util.List<Slab> a, java.util.List<Slab> b) {
        java.util.List<Slab> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) POISON_FREE);
        return b;
    }
}
