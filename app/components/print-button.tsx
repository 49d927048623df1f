"use client";
// Chromium's print dialog: "Save as PDF" there gives the report as a PDF, laid out by the print styles.
export function PrintButton() {
  return (
    <button type="button" className="button" onClick={() => window.print()}>
      Print / save as PDF
    </button>
  );
}
