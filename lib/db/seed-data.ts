export type SeedProduct = {
  slug: string;
  name: string;
  description: string;
  priceCents: number;
  imageUrl: string;
  /** Units on hand: of the product, or with `variants` of each of them. */
  stock: number;
  /** A product offered in sizes: each its own stock (the product row holds none). */
  variants?: readonly { option: string; stock: number }[];
};

export const seedProducts: readonly SeedProduct[] = [
  {
    slug: "enamel-camp-mug",
    name: "Enamel Camp Mug",
    description:
      "A 12 oz steel mug with a chip-resistant white enamel coat and a navy rolled rim. Light enough for a pack, sturdy enough for the campfire grate. Expect a few honest scuffs over the years.",
    priceCents: 1800,
    imageUrl: "/products/enamel-camp-mug.svg",
    stock: 150,
  },
  {
    slug: "pour-over-coffee-dripper",
    name: "Pour-Over Coffee Dripper",
    description:
      "A glazed ceramic cone dripper with spiral ribs for an even draw-down. Fits most mugs and carafes and takes standard #2 paper filters.",
    priceCents: 3200,
    imageUrl: "/products/pour-over-coffee-dripper.svg",
    stock: 40,
  },
  {
    slug: "wool-beanie",
    name: "Wool Beanie",
    description:
      "A chunky rib-knit beanie in merino wool with a fold-over cuff and a natural pom. Warm without the itch. Hand wash cold and lay flat to dry.",
    priceCents: 2900,
    imageUrl: "/products/wool-beanie.svg",
    stock: 3,
  },
  {
    slug: "canvas-tote-bag",
    name: "Canvas Tote Bag",
    description:
      "A heavyweight cotton canvas tote with reinforced, riveted handles and a screen-printed mountain badge. Holds a week of groceries or a day's worth of library books.",
    priceCents: 900,
    imageUrl: "/products/canvas-tote-bag.svg",
    stock: 300,
  },
  {
    slug: "brass-desk-lamp",
    name: "Brass Desk Lamp",
    description:
      "A solid brass articulated lamp with a weighted base and two adjustable joints. The unlacquered finish will darken to a warm patina over time. Takes a standard E26 bulb (not included).",
    priceCents: 18000,
    imageUrl: "/products/brass-desk-lamp.svg",
    stock: 5,
  },
  {
    slug: "ceramic-planter",
    name: "Ceramic Planter",
    description:
      "A 6-inch stoneware planter with a hand-painted terracotta stripe and a drainage hole. Sized for pothos, snake plants and most small houseplants.",
    priceCents: 3800,
    imageUrl: "/products/ceramic-planter.svg",
    stock: 12,
  },
  {
    slug: "leather-notebook",
    name: "Leather Notebook",
    description:
      "A vegetable-tanned leather cover wrapped around 192 pages of dot-grid paper, with an elastic closure and a ribbon marker. The refill insert slips out when you fill it.",
    priceCents: 4200,
    imageUrl: "/products/leather-notebook.svg",
    stock: 40,
  },
  {
    slug: "trail-water-bottle",
    name: "Trail Water Bottle",
    description:
      "A 750 ml single-wall stainless bottle with a leakproof loop cap and a carabiner for clipping to your pack. Dishwasher safe; not insulated, so it stays light.",
    priceCents: 2600,
    imageUrl: "/products/trail-water-bottle.svg",
    stock: 150,
  },
  {
    slug: "linen-throw-blanket",
    name: "Linen Throw Blanket",
    description:
      "A stonewashed linen throw with woven stripes and knotted fringe, about 50 x 60 inches. It softens with every wash and breathes well enough for summer evenings.",
    priceCents: 12000,
    imageUrl: "/products/linen-throw-blanket.svg",
    stock: 12,
  },
  {
    slug: "cast-iron-skillet",
    name: "Cast-Iron Skillet",
    description:
      "A 10-inch cast-iron skillet, pre-seasoned with flaxseed oil and ready for the stovetop, oven or campfire. It is heavy, holds heat for ages and will outlive you with a little care.",
    priceCents: 6500,
    imageUrl: "/products/cast-iron-skillet.svg",
    stock: 40,
  },
  {
    slug: "bamboo-cutting-board",
    name: "Bamboo Cutting Board",
    description:
      "A laminated bamboo board with a juice groove and a hang-up handle, 15 x 11 inches. Gentle on knife edges; oil it now and then and keep it out of the dishwasher.",
    priceCents: 2400,
    imageUrl: "/products/bamboo-cutting-board.svg",
    stock: 80,
  },
  {
    slug: "limited-edition-art-print",
    name: "Limited-Edition Art Print",
    description:
      "A signed and numbered giclée print of a mountain sunset on 300 gsm cotton rag paper, framed in dark walnut. Only a handful were printed and they will not be reissued.",
    priceCents: 9500,
    imageUrl: "/products/limited-edition-art-print.svg",
    stock: 1,
  },
  {
    slug: "trail-running-shoe",
    name: "Trail Running Shoe",
    description:
      "A light trail shoe with a rock plate, a grippy 4 mm lug sole and a breathable mesh upper. True to size; the EU 44 is nearly gone.",
    priceCents: 12900,
    imageUrl: "/products/trail-running-shoe.svg",
    stock: 0,
    variants: [
      { option: "EU 41", stock: 6 },
      { option: "EU 42", stock: 10 },
      { option: "EU 43", stock: 8 },
      { option: "EU 44", stock: 1 },
    ],
  },
];
