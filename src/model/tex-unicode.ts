/** Placeholder until the TeX-to-Unicode module lands: formulas lose their dollar signs. */
export function texToUnicode(text: string): string {
  return text.replace(/\$+/g, '');
}
