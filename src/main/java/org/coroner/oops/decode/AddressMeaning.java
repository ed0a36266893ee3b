package org.coroner.oops.decode;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.util.List;

/**
 * What a faulting address means, as far as the address alone (and the report's registers) can tell.
 *
 * @param summary  one line, most telling finding first
 * @param findings every reading that fits, each a fact about the value ("is NULL plus 0x8", "is
 *                 LIST_POISON2 minus 0x3a", "is not canonical"); several can hold at once
 * @param region   the part of the kernel's address space it falls in, for kernel-half addresses
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddressMeaning(
        @JsonSerialize(using = Hex.Serializer.class) Long address,
        String summary,
        List<Finding> findings,
        Region region) {

    public enum Kind {
        NULL_POINTER, ZERO_SIZE_PTR, ERR_PTR, POISON_POINTER, SLAB_POISON, NON_CANONICAL, USER_ADDRESS,
        KERNEL_IMAGE_NEARBY, UNMAPPED_HOLE
    }

    /**
     * @param name      the kernel's name for the value, e.g. {@code LIST_POISON2}, {@code POISON_FREE}
     * @param offset    signed distance of the address from that value, e.g. +0x8 or -0x3a
     * @param registers registers of the report that hold exactly that value (evidence of which it is)
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Finding(
            Kind kind,
            String name,
            @JsonSerialize(using = Hex.Serializer.class) Long value,
            Long offset,
            List<String> registers,
            String detail) {
    }

    /**
     * @param layout   the layout it was looked up in, e.g. {@code x86_64 4-level paging}, {@code arm64 48-bit VA, 4K pages}
     * @param nominal  true when KASLR may move this region's base ({@code CONFIG_RANDOMIZE_MEMORY} on
     *                 x86_64): the address is in the region's documented range, which the real one
     *                 may not match
     * @param assumed  what the lookup had to assume because the report does not say (null when nothing)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Region(
            String name,
            @JsonSerialize(using = Hex.Serializer.class) Long start,
            @JsonSerialize(using = Hex.Serializer.class) Long end,
            String layout,
            boolean nominal,
            String assumed) {
    }

    public boolean has(Kind kind) {
        return findings.stream().anyMatch(f -> f.kind() == kind);
    }
}
