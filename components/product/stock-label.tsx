/** "Sold out", "Only 3 left" (scarce), or "42 left". */
export function StockLabel({ available, className = "" }: { available: number; className?: string }) {
  if (available <= 0) {
    return <span className={`font-medium text-stone-500 ${className}`}>Sold out</span>;
  }
  const scarce = available <= 5;
  return (
    <span className={`font-medium ${scarce ? "text-amber-700" : "text-emerald-700"} ${className}`}>
      {scarce ? `Only ${available} left` : `${available} left`}
    </span>
  );
}
