package org.coroner.analyze.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.coroner.analyze.Analysis;

/** {@code coroner analyze --json}: the schema in the README ("JSON schema of coroner analyze"). */
public final class AnalysisJson {
    private static final ObjectMapper M = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AnalysisJson() {
    }

    public static String render(Analysis a) {
        ObjectNode root = M.createObjectNode();
        root.put("input", a.input());
        root.put("source", a.source());
        ObjectNode v = root.putObject("verdict");
        v.put("kind", a.verdict().kind().id());
        v.put("summary", a.verdict().summary());
        v.set("location", a.verdict().location() == null ? null : M.valueToTree(a.verdict().location()));
        v.put("confidence", a.verdict().confidence().id());
        root.set("evidence", M.valueToTree(a.evidence()));
        root.set("context", M.valueToTree(a.context()));
        root.set("notes", M.valueToTree(a.notes()));
        try {
            return M.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
