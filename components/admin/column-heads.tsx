import type { ReactNode } from "react";

/** A table's row of column headings; `children` adds cells after them (a pinned action column). */
export function ColumnHeads({ names, children }: { names: readonly string[]; children?: ReactNode }) {
  return (
    <tr>
      {names.map((name) => (
        <th key={name} scope="col" className="px-3 py-2">
          {name}
        </th>
      ))}
      {children}
    </tr>
  );
}
