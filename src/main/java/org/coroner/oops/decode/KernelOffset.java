package org.coroner.oops.decode;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * {@code Kernel Offset: 0x31200000 from 0xffffffff81000000}: the KASLR slide and the link-time base
 * it applies to ({@code __START_KERNEL} on x86_64, {@code KIMAGE_VADDR} on arm64). {@code disabled}
 * for {@code Kernel Offset: disabled}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KernelOffset(
        @JsonSerialize(using = Hex.Serializer.class) Long offset,
        @JsonSerialize(using = Hex.Serializer.class) Long base,
        boolean disabled) {

    /** Where the kernel image actually starts, when both numbers are known. */
    public Long start() {
        return offset != null && base != null ? base + offset : null;
    }
}
