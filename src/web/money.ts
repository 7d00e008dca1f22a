/** The minor units of a currency (2 for EUR, 0 for JPY, 3 for KWD), from the platform's Intl. */
function fractionDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits!;
}

/** An amount in minor units as a buyer reads it: `€12.50`, `¥1,200`. */
export function formatMoney(minorUnits: number, currency: string): string {
  const digits = fractionDigits(currency);
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(
    minorUnits / 10 ** digits,
  );
}

/** An amount in minor units as a merchant types it into a form: `12.50`. */
export function moneyInputValue(minorUnits: number, currency: string): string {
  return (minorUnits / 10 ** fractionDigits(currency)).toFixed(fractionDigits(currency));
}

/**
 * What a merchant typed as a price (`12.50`, `12`, `12.5`, `1,200.00`) in minor units, or
 * undefined when it is not an amount of the currency (too many decimals, a sign, letters).
 */
export function parseMoney(text: string, currency: string): number | undefined {
  const digits = fractionDigits(currency);
  const normalized = text.trim().replace(/,/g, '');
  const pattern = digits === 0 ? /^\d{1,12}$/ : new RegExp(`^\\d{1,12}(\\.\\d{1,${digits}})?$`);
  if (!pattern.test(normalized)) return undefined;
  const [whole, fraction = ''] = normalized.split('.');
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || 0);
}
