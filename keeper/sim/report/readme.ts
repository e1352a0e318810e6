/**
 * Generated sections of a markdown file: the text between `<!-- bench:<name>:start -->` and
 * `<!-- bench:<name>:end -->` is replaced, everything else is left byte for byte.
 */
export const markers = (name: string): { start: string; end: string } => ({
  start: `<!-- bench:${name}:start -->`,
  end: `<!-- bench:${name}:end -->`,
});

export function hasSection(text: string, name: string): boolean {
  const { start, end } = markers(name);
  return text.includes(start) && text.includes(end);
}

/** Replaces one marked section; throws naming the section when its markers are missing, doubled or out of order. */
export function replaceSection(text: string, name: string, content: string): string {
  const { start, end } = markers(name);
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < 0) throw new Error(`section "${name}": markers ${start} … ${end} not found`);
  if (text.indexOf(start, i + 1) >= 0 || text.indexOf(end, j + 1) >= 0)
    throw new Error(`section "${name}": markers appear more than once`);
  if (j < i) throw new Error(`section "${name}": the end marker comes before the start marker`);
  return `${text.slice(0, i + start.length)}\n${content.trimEnd()}\n${text.slice(j)}`;
}
