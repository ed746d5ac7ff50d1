import { describe, expect, it } from "vitest";
import { editorHtml, htmlToText } from "./htmlText";

describe("editorHtml", () => {
  it("drops the empty paragraphs the editor keeps after the last block", () => {
    expect(editorHtml("<ul><li><p>a</p></li></ul><p></p>")).toBe("<ul><li><p>a</p></li></ul>");
    expect(editorHtml("<p>a</p><p></p><p><br></p>")).toBe("<p>a</p>");
  });

  it("keeps empty paragraphs between blocks and text as written", () => {
    expect(editorHtml("<p>a</p><p></p><p>b</p>")).toBe("<p>a</p><p></p><p>b</p>");
  });

  it("is null when nothing but empty paragraphs remains", () => {
    expect(editorHtml("<p></p>")).toBeNull();
    expect(editorHtml("")).toBeNull();
  });
});

describe("htmlToText", () => {
  it("is the text of the value on one line, entities decoded", () => {
    expect(htmlToText("<p>Call <strong>Monday</strong></p><p>a &lt; b</p>")).toBe("Call Monday a < b");
  });
});
