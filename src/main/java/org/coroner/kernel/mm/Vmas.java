package org.coroner.kernel.mm;

import java.util.ArrayList;
import java.util.List;

import org.coroner.kernel.Kernel;
import org.coroner.memory.FaultException;
import org.coroner.types.Value;

/** A process's memory map: the VMAs of an {@code mm_struct}, from its maple tree (6.1 and later) or its {@code mmap} list. */
public final class Vmas {
    private Vmas() {
    }

    /** One {@code vm_area_struct}: its address, range, flags and the path of the file it maps ("" for none). */
    public record Vma(long address, long start, long end, long flags, String file) {
        public boolean contains(long va) {
            return Long.compareUnsigned(va, start) >= 0 && Long.compareUnsigned(va, end) < 0;
        }
    }

    /** The VMAs of the {@code mm_struct} at {@code mm}, by address. */
    public static List<Vma> of(Kernel k, long mm) {
        Value m = k.object("struct mm_struct", mm);
        List<Long> addresses = new ArrayList<>();
        if (k.type("struct mm_struct").resolve().path("mm_mt").isPresent()) {
            for (MapleTree.Entry e : MapleTree.entries(k, m.member("mm_mt").address())) {
                addresses.add(e.value());
            }
        } else {
            for (long v = m.member("mmap").u64(); v != 0 && addresses.size() < 1_000_000;
                 v = k.object("struct vm_area_struct", v).member("vm_next").u64()) {
                addresses.add(v);
            }
        }
        List<Vma> out = new ArrayList<>();
        for (long a : addresses) {
            Value v = k.object("struct vm_area_struct", a);
            long file = v.member("vm_file").u64();
            out.add(new Vma(a, v.member("vm_start").u64(), v.member("vm_end").u64(), v.member("vm_flags").u64(),
                    file == 0 ? "" : path(k, k.object("struct file", file))));
        }
        return out;
    }

    /** {@code d_path}: the file's dentry names up to the root, across the mounts on the way. */
    static String path(Kernel k, Value file) {
        try {
            long dentry = file.member("f_path.dentry").u64();
            long vfsmnt = file.member("f_path.mnt").u64();
            Value mount = k.object("struct vfsmount", vfsmnt).containerOf(k.type("struct mount"), "mnt");
            List<String> names = new ArrayList<>();
            for (int guard = 0; guard < 256 && dentry != 0; guard++) {
                Value d = k.object("struct dentry", dentry);
                long parent = d.member("d_parent").u64();
                long mntRoot = mount.member("mnt.mnt_root").u64();
                if (dentry == mntRoot || parent == dentry) {
                    long parentMount = mount.member("mnt_parent").u64();
                    if (parentMount == mount.address() || parentMount == 0) {
                        break; // the root of the namespace
                    }
                    dentry = mount.member("mnt_mountpoint").u64();
                    mount = k.object("struct mount", parentMount);
                    continue;
                }
                names.add(0, d.member("d_name.name").string(256));
                dentry = parent;
            }
            return "/" + String.join("/", names);
        } catch (FaultException e) {
            return "(unreadable path)";
        }
    }
}
