/**
 * `.dockerignore` as Docker reads it (moby's patternmatcher): one pattern a line, `#` comments,
 * paths relative to the context with a leading `/` dropped, `*` and `?` within one path
 * segment, `**` across any number of them, `!` re-includes, the last matching pattern wins,
 * and a pattern that matches a folder matches everything under it.
 */
export type IgnoreRule = { pattern: string; exclude: boolean; regex: RegExp };

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    let exclude = true;
    if (line.startsWith("!")) {
      exclude = false;
      line = line.slice(1).trim();
    }
    const pattern = cleanPath(line);
    if (!pattern) continue;
    rules.push({ pattern, exclude, regex: patternRegex(pattern) });
  }
  return rules;
}

/** Whether Docker leaves `file` (a path relative to the context, `/`-separated) out of the context. */
export function isIgnored(rules: readonly IgnoreRule[], file: string): boolean {
  const target = cleanPath(file);
  const parents = target.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
  let ignored = false;
  for (const rule of rules) {
    if (parents.some((p) => rule.regex.test(p))) ignored = rule.exclude;
  }
  return ignored;
}

/** Whether some `!` rule could bring back a file under `dir` (then an ignored folder must still be walked). */
export function mayReinclude(rules: readonly IgnoreRule[], dir: string): boolean {
  const prefix = `${cleanPath(dir)}/`;
  return rules.some((r) => !r.exclude && (r.pattern.startsWith(prefix) || r.pattern.includes("*")));
}

function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const part of p.replaceAll("\\", "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}

function patternRegex(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        i += 1;
        if (pattern[i + 1] === "/") {
          i += 1;
          re += "(?:.*/)?"; // `**/`: any number of folders, none included
        } else {
          re += ".*";
        }
      } else {
        re += "[^/]*";
      }
    } else if (c === "?") {
      re += "[^/]";
    } else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        re += `[${pattern
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replaceAll("\\", "\\\\")}]`;
        i = end;
      }
    } else if (c === "\\" && i + 1 < pattern.length) {
      i += 1;
      re += escapeRegex(pattern[i]!);
    } else {
      re += escapeRegex(c);
    }
  }
  return new RegExp(`^${re}$`);
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
