package org.coroner.oops.decode;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.file.Path;

/** Manual aid: prints the decoded JSON of a cut of a log. args: log start end */
public class DumpMain {
    public static void main(String[] a) throws Exception {
        var lines = a.length == 1 ? ReportLines.corpus(Path.of(a[0])) : ReportLines.cut(Path.of(a[0]), a[1], a[2]);
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(OopsDecoder.decode(lines)));
    }
}
