const SUFFIX = new Intl.PluralRules("en-US", { type: "ordinal" });
const ENDINGS: Record<string, string> = { one: "st", two: "nd", few: "rd", other: "th" };

/** 1 → "1st", 2 → "2nd", 3 → "3rd", 11 → "11th": a place in line. */
export const ordinal = (n: number): string => `${n}${ENDINGS[SUFFIX.select(n)] ?? "th"}`;
