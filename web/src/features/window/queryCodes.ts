/**
 * Query codes of walk-in cases entered in this tab. The API gives a case's query code to staff once, in the
 * answer to POST /cases; it is kept here (memory only, never stored) just long enough to print the receipt.
 */
const codes = new Map<string, string>();

export function rememberQueryCode(caseNo: string, code: string): void {
  codes.set(caseNo, code);
}

export function queryCodeOf(caseNo: string): string | undefined {
  return codes.get(caseNo);
}
