package org.coroner.oops.report;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.coroner.disasm.CodeLine;
import org.coroner.oops.decode.DecodedOops;
import org.coroner.oops.decode.Hex;
import org.coroner.oops.decode.TaintFlag;

/** {@code coroner oops --json}: the schema documented in the README ("JSON schema of coroner oops"). */
public final class JsonRenderer {
    private static final ObjectMapper M = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonRenderer() {
    }

    public static String render(String input, List<OopsReport> reports) {
        ObjectNode root = M.createObjectNode();
        root.put("input", input);
        ArrayNode arr = root.putArray("reports");
        for (OopsReport r : reports) {
            arr.add(report(r));
        }
        try {
            return M.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode report(OopsReport r) {
        DecodedOops d = r.decoded();
        ObjectNode o = M.createObjectNode();
        o.put("title", r.found().title());
        o.put("kind", r.found().kind());
        o.put("corrupted", r.found().corrupted());
        if (r.found().corruptedReason() != null) o.put("corruptedReason", r.found().corruptedReason());
        o.put("verdict", r.verdict());
        o.put("startLine", r.found().startLine());
        o.put("endLine", r.found().endLine());
        if (r.found().guiltyFrame() != null) o.put("guiltyFrame", r.found().guiltyFrame());
        o.put("arch", d.arch() == null ? null : d.arch().name().toLowerCase());
        o.put("cpu", d.cpu());
        o.put("pid", d.pid());
        o.put("comm", d.comm());
        o.put("release", d.release());
        o.put("hardware", d.hardware());
        o.put("fault", d.fault());
        ObjectNode taint = o.putObject("taint");
        if (d.taint() == null) {
            taint.putNull("letters");
        } else {
            taint.put("tainted", d.taint().tainted());
            taint.put("letters", d.taint().letters());
            ArrayNode fl = taint.putArray("flags");
            for (TaintFlag f : d.taint().flags()) {
                fl.addObject().put("letter", String.valueOf(f.letter())).put("name", f.name()).put("meaning", f.meaning());
            }
        }
        o.put("address", d.address() == null ? null : Hex.format(d.address()));
        o.set("addressMeaning", M.valueToTree(d.addressMeaning()));
        o.set("errorCode", M.valueToTree(d.errorCode()));
        o.set("esr", M.valueToTree(d.esr()));
        o.set("rip", r.rip() == null ? null : frame(r.rip()));
        o.set("lr", M.valueToTree(d.lr()));
        o.set("registers", d.registers() == null ? null : M.valueToTree(d.registers().values()));
        o.set("userRegisters", d.userRegisters() == null ? null : M.valueToTree(d.userRegisters().values()));
        ArrayNode frames = o.putArray("frames");
        for (SymbolizedFrame f : r.frames()) {
            frames.add(frame(f));
        }
        o.set("modules", M.valueToTree(d.modules()));
        o.set("kernelOffset", M.valueToTree(d.kernelOffset()));
        o.set("code", code(d, r.code()));
        o.set("faultExpression", M.valueToTree(r.fault()));
        o.put("panic", d.panic());
        o.set("notes", M.valueToTree(r.notes()));
        return o;
    }

    static ObjectNode frame(SymbolizedFrame f) {
        ObjectNode o = M.createObjectNode();
        o.put("function", f.function());
        o.put("offset", f.offset() == null ? null : Hex.format(f.offset()));
        o.put("size", f.size() == null ? null : Hex.format(f.size()));
        o.put("module", f.module());
        o.put("reliable", f.reliable());
        if (f.section() != null) o.put("stack", f.section());
        if (f.address() != null) o.put("address", Hex.format(f.address()));
        o.put("file", f.file());
        o.put("line", f.line());
        ArrayNode in = o.putArray("inlined");
        if (f.inlined() != null) {
            for (SymbolizedFrame.Inlined i : f.inlined()) {
                in.addObject().put("function", i.function()).put("file", i.file()).put("line", i.line());
            }
        }
        if (f.debugInfo() != null) o.put("debugInfo", f.debugInfo());
        return o;
    }

    static ObjectNode code(DecodedOops d, CodeLine.Decoded c) {
        if (d.code() == null) {
            return null;
        }
        ObjectNode o = M.createObjectNode();
        o.put("bytes", d.code().raw());
        ArrayNode insns = o.putArray("instructions");
        if (c != null) {
            for (CodeLine.Line l : c.lines()) {
                ObjectNode i = insns.addObject();
                i.put("address", Hex.format(l.instruction().address()));
                i.put("bytes", l.instruction().hex());
                i.put("text", l.instruction().text());
                i.put("faulting", l.faulting());
                if (l.uncertain()) i.put("uncertain", true);
            }
        }
        return o;
    }
}
