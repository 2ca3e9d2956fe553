// Small page helpers shared by the views.

export const $ = id => document.getElementById(id);

/** The table's body, emptied. */
export function emptied(tableId) {
  const body = $(tableId).tBodies[0];
  body.replaceChildren();
  return body;
}

/** Appends a row of plain-text cells. */
export function textRow(body, cells) {
  const tr = body.insertRow();
  for (const text of cells) tr.insertCell().textContent = text;
  return tr;
}
