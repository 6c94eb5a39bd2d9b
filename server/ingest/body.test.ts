import { describe, expect, it } from "vitest";
import { splitBody } from "./body";

const enc = (s: string) => new TextEncoder().encode(s);
const split = (s: string) => splitBody(enc(s)).map((b) => new TextDecoder().decode(b));

describe("splitBody", () => {
  it.each([
    ["one object", ' {"a":1} ', ['{"a":1}']],
    ["an array", '[{"a":1},{"b":2}]', ['{"a":1}', '{"b":2}']],
    ["white space and newlines", '[\n  {"a":1} ,\r\n\t{"b":2}\n]\n', ['{"a":1}', '{"b":2}']],
    [
      "brackets, commas and quotes inside strings",
      '[{"a":"],[{\\"x\\",}"},{"b":"\\\\"}]',
      ['{"a":"],[{\\"x\\",}"}', '{"b":"\\\\"}'],
    ],
    [
      "nested arrays and scalars",
      '[[1,[2,3]], "s", 4, null, {"c":[{}]}]',
      ["[1,[2,3]]", '"s"', "4", "null", '{"c":[{}]}'],
    ],
    ["a leading byte order mark", '\ufeff[{"a":1}]', ['{"a":1}']],
    ["a top-level scalar", "42", ["42"]],
  ])("%s", (_name, raw, items) => {
    expect(split(raw)).toEqual(items);
  });

  it("keeps bytes that are not UTF-8 inside an item for the item's own verdict", () => {
    const raw = new Uint8Array([...enc('[{"a":"'), 0xff, ...enc('"},{"b":1}]')]);
    const items = splitBody(raw);
    expect(items.map((b) => [...b])).toEqual([[...enc('{"a":"'), 0xff, ...enc('"}')], [...enc('{"b":1}')]]);
  });

  it("says where the body stops being JSON without echoing it", () => {
    expect(() => split('[{"a":1},\u0000]')).toThrow("the body is not valid JSON: Unexpected token '\\u0000'");
    expect(() => split("{nope")).toThrow(
      "not valid JSON: Expected property name or '}' in JSON at position 1",
    );
  });
});
