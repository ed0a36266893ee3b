package org.coroner.kernel.mm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.coroner.kernel.Tasks;
import org.coroner.session.Session;
import org.coroner.testing.CrashLive;
import org.coroner.testing.CrashReference;
import org.coroner.testing.FixtureSessions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SLUB model against crash's {@code kmem -s} and {@code kmem -S} run live on the fixture dumps. */
@Tag("fixtures")
class SlubTest {
    private static final Pattern CACHE = Pattern.compile("^([0-9a-f]{16})\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)k\\s+(\\S+)$");
    private static final Pattern SLAB = Pattern.compile("^  ([0-9a-f]{16})  ([0-9a-f]{16})\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$");
    private static final Pattern OBJECT = Pattern.compile("^  ( |\\[)([0-9a-f]{16})(\\]| ).*");

    static Slub slub(Session s) {
        return s.slub();
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba"})
    void everyCacheIsOnTheListWithCrashsCounts(String scenario) {
        Session s = FixtureSessions.session(scenario);
        Slub slub = slub(s);
        List<String> crash = CrashLive.crash(scenario).lines("kmem -s");
        int compared = 0;
        for (String l : crash) {
            Matcher m = CACHE.matcher(l);
            if (!m.matches()) {
                continue;
            }
            long addr = Long.parseUnsignedLong(m.group(1), 16);
            SlabCache c = slub.listedCache(addr).orElseThrow(() -> new AssertionError("cache not listed: " + l));
            Slub.Counts n = slub.counts(c);
            assertThat(String.format("%016x %d %d %d %d %dk %s", c.address(), c.objectSize(), n.allocated(), n.total(),
                    n.slabs(), c.slabBytes() / 1024, c.name()))
                    .isEqualTo(String.join(" ", m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6) + "k", m.group(7)));
            compared++;
        }
        assertThat(compared).isEqualTo(slub.caches().size()).isGreaterThan(100);
        assertThat(slub.cache("task_struct")).isPresent();
    }

    /**
     * Every slab crash lists (CPU slabs, CPU partial lists, node partial lists) has the same memory,
     * node and counts in the model, and every object crash shows is free or allocated as the model says.
     */
    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba"})
    void slabsAndObjectsAreFreeOrAllocatedAsCrashSays(String scenario) {
        Session s = FixtureSessions.session(scenario);
        Slub slub = slub(s);
        CrashReference crash = CrashLive.crash(scenario);
        SlabCache cache = null;
        Slub.SlabContents contents = null;
        int slabs = 0;
        int objects = 0;
        int free = 0;
        for (String l : crash.lines("kmem -S")) {
            Matcher c = CACHE.matcher(l);
            if (c.matches()) {
                cache = slub.listedCache(Long.parseUnsignedLong(c.group(1), 16)).orElseThrow();
                contents = null;
                continue;
            }
            Matcher sl = SLAB.matcher(l);
            if (sl.matches()) {
                Slab slab = slub.slab(Long.parseUnsignedLong(sl.group(1), 16));
                assertThat(slab.cache()).isEqualTo(cache);
                assertThat(slab.base()).isEqualTo(Long.parseUnsignedLong(sl.group(2), 16));
                assertThat(slab.node()).isEqualTo(Integer.parseInt(sl.group(3)));
                assertThat(slab.objects()).isEqualTo(Integer.parseInt(sl.group(4)));
                contents = slub.contents(slab);
                assertThat(contents.problem()).as(l).isEmpty();
                assertThat(slab.objects() - contents.freeCount()).as(l).isEqualTo(Integer.parseInt(sl.group(5)));
                assertThat(contents.freeCount()).as(l).isEqualTo(Integer.parseInt(sl.group(6)));
                slabs++;
                continue;
            }
            Matcher o = OBJECT.matcher(l);
            if (o.matches() && contents != null && !l.contains("FREE / [ALLOCATED]")) {
                long object = Long.parseUnsignedLong(o.group(2), 16);
                boolean isFree = o.group(1).equals(" ");
                assertThat(contents.state(object)).as(l).isEqualTo(isFree ? SlabObject.State.FREE : SlabObject.State.ALLOCATED);
                long inside = cache.objectSize() / 2;
                SlabObject so = slub.objectAt(object + inside).orElseThrow();
                assertThat(so.object()).isEqualTo(object);
                assertThat(so.offset()).isEqualTo(inside);
                assertThat(so.cache()).isEqualTo(cache);
                assertThat(so.state()).isEqualTo(contents.state(object));
                objects++;
                free += isFree ? 1 : 0;
            }
        }
        assertThat(slabs).isGreaterThan(100);
        assertThat(objects).isGreaterThan(1000);
        assertThat(free).isGreaterThan(100).isLessThan(objects);
    }

    /**
     * Every slab of every cache (CPU slabs, CPU partials, node partials) has a freelist that decodes
     * (CONFIG_SLAB_FREELIST_HARDENED) into objects of its own slab, as many as {@code slab->inuse} says.
     */
    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba", "qemu-null"})
    void everyFreelistDecodesConsistently(String scenario) {
        Session s = FixtureSessions.session(scenario);
        Slub slub = slub(s);
        int walked = 0;
        int freeObjects = 0;
        for (SlabCache c : slub.caches()) {
            assertThat(c.random()).as("hardened freelist: %s", c.name()).isNotZero();
            for (Slub.CpuSlabs cs : slub.cpuSlabs(c)) {
                assertThat(cs.problem()).isEmpty();
                for (Slab slab : cs.slab().map(List::of).orElse(List.of())) {
                    Slub.SlabContents sc = slub.contents(slab);
                    assertThat(sc.problem()).as(c.name()).isEmpty();
                    assertThat(sc.place()).isEqualTo(SlabObject.Place.CPU_SLAB);
                    freeObjects += sc.freeCount();
                    walked++;
                }
                for (Slab slab : cs.partial()) {
                    Slub.SlabContents sc = slub.contents(slab);
                    assertThat(sc.problem()).as(c.name()).isEmpty();
                    assertThat(sc.place()).isEqualTo(SlabObject.Place.CPU_PARTIAL);
                    freeObjects += sc.freeCount();
                    walked++;
                }
            }
            for (Slub.NodeSlabs n : slub.nodes(c)) {
                assertThat(n.partial()).hasSize((int) n.nrPartial());
                for (Slab slab : n.partial()) {
                    Slub.SlabContents sc = slub.contents(slab);
                    assertThat(sc.problem()).as(c.name()).isEmpty();
                    assertThat(sc.place()).isEqualTo(SlabObject.Place.NODE_PARTIAL);
                    freeObjects += sc.freeCount();
                    walked++;
                }
            }
        }
        assertThat(walked).isGreaterThan(100);
        assertThat(freeObjects).isGreaterThan(1000);
    }

    /** Every task_struct but init_task's is an allocated object of the task_struct cache, at offset 0. */
    @ParameterizedTest
    @ValueSource(strings = {"null", "mutex_abba"})
    void everyTaskIsAnAllocatedTaskStruct(String scenario) {
        Session s = FixtureSessions.session(scenario);
        Slub slub = slub(s);
        long initTask = s.kernel().requireSymbol("init_task");
        int n = 0;
        for (Tasks.Task t : s.tasks().all()) {
            Optional<SlabObject> o = slub.objectAt(t.address() + 0x123);
            if (t.address() == initTask) {
                assertThat(o).isEmpty(); // kernel data, not a slab object
                continue;
            }
            SlabObject so = o.orElseThrow(() -> new AssertionError("not a slab object: " + t));
            assertThat(so.cache().name()).isEqualTo("task_struct");
            assertThat(so.object()).isEqualTo(t.address());
            assertThat(so.offset()).isEqualTo(0x123);
            assertThat(so.region()).isEqualTo(SlabObject.Region.OBJECT);
            assertThat(so.state()).as(t.comm()).isEqualTo(SlabObject.State.ALLOCATED);
            assertThat(so.alloc()).isEmpty(); // no SLAB_STORE_USER without slub_debug
            n++;
        }
        assertThat(n).isGreaterThan(50);
    }

    /** The NULL dump's lab_dev (RBX of create_oops in crash's bt) is a 64-byte kmalloc object, allocated. */
    @Test
    void theCrashingDevicesObjectIsAnAllocatedKmalloc64() throws Exception {
        Session s = FixtureSessions.session("null");
        Slub slub = slub(s);
        String bt = java.nio.file.Files.readString(org.coroner.testing.Fixtures.vmcoreDir("null").resolve("crash/bt.txt"));
        Matcher m = Pattern.compile("RBX: ([0-9a-f]{16})").matcher(bt);
        assertThat(m.find()).isTrue();
        long rbx = Long.parseUnsignedLong(m.group(1), 16); // create_oops' d, in its exception frame
        SlabObject o = slub.objectAt(rbx + 0x28).orElseThrow();
        assertThat(o.cache().name()).isEqualTo("kmalloc-64");
        assertThat(o.object()).isEqualTo(rbx);
        assertThat(o.offset()).isEqualTo(0x28); // d->ops
        assertThat(o.state()).isEqualTo(SlabObject.State.ALLOCATED);
        assertThat(s.kernel().memory().u64(rbx + 0x28)).isZero(); // d->ops is NULL, as the Oops says
        // kernel image and stack addresses are not slab objects
        assertThat(slub.objectAt(s.kernel().requireSymbol("jiffies"))).isEmpty();
        assertThat(slub.objectAt(s.tasks().all().get(5).task().member("stack").u64())).isEmpty(); // vmalloc
    }
}
