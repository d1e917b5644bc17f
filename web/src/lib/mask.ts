/** Masks for personal data leaving the console (exports): the same shapes the API uses. */
export function maskName(value: string | null | undefined): string {
  if (!value) return '';
  return value.slice(0, 1) + '*'.repeat(Math.max(value.length - 1, 1));
}

export function maskPhone(value: string | null | undefined): string {
  if (!value) return '';
  if (value.length < 7) return '*'.repeat(value.length);
  return value.slice(0, 3) + '*'.repeat(value.length - 7) + value.slice(-4);
}

/** Free text may carry an identity number or a mobile number: masked wherever it appears. */
export function scrubText(value: string | null | undefined): string {
  if (!value) return '';
  return value
    .replace(/\b(\d{4})\d{10}(\d{3}[\dXx])\b/g, '$1**********$2')
    .replace(/\b(1[3-9]\d)\d{4}(\d{4})\b/g, '$1****$2');
}
