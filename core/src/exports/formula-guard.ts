/**
 * Spreadsheet formula injection: a CSV cell that starts with "=", "+", "-", "@", a tab or a carriage return is
 * evaluated as a formula by Excel, LibreOffice and Google Sheets when the file is opened. Partner names, ARNs and
 * messages are partner-controlled text, so every text cell of a CSV export goes through here: such a cell gets a
 * leading apostrophe (OWASP's advice), which the spreadsheet shows as text and never evaluates.
 * XLSX cells are typed (exceljs writes text as string cells, never formulas) and PDF is not evaluated, so they need
 * no rewriting (tested in exports.test.ts).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export const neutralizeFormula = (text: string): string => (FORMULA_START.test(text) ? `'${text}` : text);
