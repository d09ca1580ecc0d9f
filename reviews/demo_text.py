"""What the demo reviewers are called and what they say (``reviews/demo.py``
composes reviews from it): names, sentences per aspect of a product and mood,
titles, openers, closers and the shop's replies."""

REVIEWERS = (
    ("Anna", "Becker"), ("Lukas", "Novak"), ("Sofia", "Rossi"), ("Jonas", "Jensen"),
    ("Emma", "Schmidt"), ("Mateo", "García"), ("Clara", "Dubois"), ("Felix", "Kowalski"),
    ("Lena", "Andersson"), ("Noah", "Murphy"), ("Marie", "Müller"), ("Elias", "Silva"),
    ("Julia", "Costa"), ("Leon", "Nielsen"), ("Hannah", "Weber"), ("Paul", "Fischer"),
    ("Laura", "Lambert"), ("Finn", "Horvat"), ("Mia", "Moreau"), ("Ben", "Bauer"),
    ("Chloé", "Meyer"), ("Luca", "Ferrari"), ("Ingrid", "Larsen"), ("Tomás", "Santos"),
    ("Aoife", "Brennan"), ("Piotr", "Nowak"), ("Elena", "Romano"), ("Oskar", "Lindqvist"),
    ("Freya", "Olsen"), ("Hugo", "Petit"), ("Nora", "Keller"), ("Milan", "Wolf"),
    ("Ida", "Berg"), ("Samir", "Haddad"), ("Zoe", "Vogel"), ("Karim", "Kaya"),
    ("Olivia", "Hoffmann"), ("Daniel", "Wagner"), ("Yara", "Martin"), ("Matteo", "Schulz"),
)  # fmt: skip

# --- What reviews say -------------------------------------------------------------------
# An aspect: (good, mixed, bad) sentences. {noun} is what the product is
# ("frying pan"), {it} its pronoun ("it", or "them" for jeans); sentences
# avoid a subject that must agree with the noun.
type Aspect = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]

ASPECTS: dict[str, Aspect] = {
    "quality": (
        ("Really well made; the finish is better than I expected at this price.",
         "Feels solid and well put together.", "You can tell care went into making {it}."),
        ("Decent quality, with a couple of small flaws but nothing serious.",
         "Well made overall, although not quite as premium as the photos suggest."),
        ("The quality is poor for the price.", "Started to show wear after only a few weeks.",
         "Something came loose within the first week."),
    ),
    "value": (
        ("Great value for money.", "Worth every cent.", "Cheaper than the big brands and just as good."),
        ("A bit pricey for what it is.", "Good, but I would wait for a sale next time."),
        ("Far too expensive for what you get.", "Not worth the money, sadly."),
    ),
    "looks": (
        ("Looks even better than in the photos.", "The colour is exactly as pictured."),
        ("The colour is a little different from the photos, but I like it.",),
        ("Looks much cheaper in person than in the photos.",),
    ),
    "fit": (
        ("Fits true to size.", "The fit is spot on, neither tight nor baggy.",
         "Flattering cut with enough room to move."),
        ("Runs slightly large; I could have gone a size down.", "The fit is fine, if a little boxy."),
        ("Runs very small; I had to send {it} back for a bigger size.",
         "The cut is odd and does not sit well on me."),
    ),
    "fabric": (
        ("The fabric feels soft and substantial.", "Lovely fabric, soft on the skin and not itchy at all."),
        ("The fabric is thinner than I expected, but still comfortable.",),
        ("The fabric is thin and started pilling after a few wears.", "The fabric feels scratchy."),
    ),
    "washing": (
        ("Washed {it} several times and the colour is still like new.", "No shrinking at all in the wash."),
        ("Shrank a little in the first wash, but the fit is still fine.",),
        ("Shrank badly in the first wash, even on a cool cycle.", "The colour faded after two washes."),
    ),
    "warmth": (
        ("Keeps me warm on cold mornings without being bulky.", "Properly warm for winter walks."),
        ("Warm enough for autumn, but I need an extra layer in winter.",),
        ("Not warm at all; the wind goes straight through.",),
    ),
    "rain": (
        ("Stayed dry in a proper downpour.", "Rain simply beads off."),
        ("Fine in light rain, but the seams let water in during heavy showers.",),
        ("Soaked through after ten minutes of rain.",),
    ),
    "shape": (
        ("The neckline keeps its shape after many washes.",),
        ("Slightly see-through in bright colours, but I layer it anyway.",),
        ("The neckline stretched out after a few wears.",),
    ),
    "length": (
        ("The leg length is just right for me, no need to hem.",),
        ("A little long in the leg; I had {it} shortened.",),
        ("Much shorter in the leg than the size chart suggests.",),
    ),
    "denim": (
        ("The denim is sturdy and softens nicely with wear.",),
        ("Stiff at first; it took a few weeks to soften.",),
        ("The denim bags out at the knees by the end of the day.",),
    ),
    "shoe_fit": (
        ("True to size; I took my usual size.", "Plenty of room in the toe box."),
        ("Runs half a size small, so consider sizing up.",),
        ("Far too narrow for my feet, even in a bigger size.",),
    ),
    "comfort_feet": (
        ("Comfortable from the first day, no breaking in needed.",
         "I can walk all day in {it} without sore feet."),
        ("Needed a couple of weeks to break in.",),
        ("Gave me blisters every time I wore {it}.",),
    ),
    "sole": (
        ("Good grip, even on wet pavements.", "The sole feels cushioned and still looks new."),
        ("Fine in the dry but slippery on wet tiles.",),
        ("The sole started coming away after a month.",),
    ),
    "sturdy": (
        ("Sturdy and heavy in a reassuring way.", "Feels built to last for years."),
        ("Reasonably sturdy, though lighter than I expected.",),
        ("Feels flimsy and cheaper than it looks.",),
    ),
    "home_looks": (
        ("Looks beautiful at home and guests always ask where it is from.",
         "The colour works perfectly with the rest of our things."),
        ("Looks nice, although the colour is a bit duller than in the photos.",),
        ("Looks nothing like the photos.",),
    ),
    "heat": (
        ("Heats evenly with no hot spots; searing is a joy.", "Works perfectly on our induction hob."),
        ("Heats well, but takes a while to get going on induction.",),
        ("Heats unevenly and burns food in the middle.", "Warped after a few uses on high heat."),
    ),
    "cleaning": (
        ("Cleans up easily with warm water and a brush.",),
        ("Needs a bit of care to clean, but it is manageable.",),
        ("Food sticks whatever I do, and cleaning is a pain.",),
    ),
    "handle": (
        ("The handle stays cool and feels secure.",),
        ("The handle gets warm, so I keep a cloth nearby.",),
        ("The handle gets very hot and feels loose.",),
    ),
    "dishwasher": (
        ("Dishwasher safe and still looks new after months of daily use.",),
        ("Survives the dishwasher, although the glaze has dulled a little.",),
        ("Chipped within the first week.", "The glaze crazed after a few runs through the dishwasher."),
    ),
    "softness": (
        ("Soft and cool to sleep in.", "Gets softer with every wash."),
        ("A bit stiff at first, better after a few washes.",),
        ("Rough and creases terribly.",),
    ),
    "bed_fit": (
        ("Fits our mattress perfectly.",),
        ("A little tight on our deep mattress.",),
        ("Does not fit a standard mattress at all.",),
    ),
    "pairing": (
        ("Paired with my phone in seconds.", "Set-up took a minute, no app needed."),
        ("Pairing works, but sometimes needs a second try.",),
        ("Keeps dropping the connection.",),
    ),
    "battery": (
        ("The battery easily lasts a week of commuting.", "Battery life is excellent."),
        ("Battery life is fine, though shorter than advertised.",),
        ("The battery barely lasts a day.",),
    ),
    "sound": (
        ("Clear, balanced sound with plenty of bass.", "Sound quality is excellent for the price."),
        ("Sound is good, if a little heavy on the bass.",),
        ("The sound is tinny and distorts at higher volume.",),
    ),
    "comfort_head": (
        ("Comfortable even after hours of wear.", "Light enough that I forget I am wearing {it}."),
        ("Comfortable for an hour or so, then I need a break.",),
        ("Hurts my ears after twenty minutes.",),
    ),
    "charging": (
        ("Charges my phone noticeably faster than my old charger.", "Charges two devices at once, no fuss."),
        ("Charges fine, but gets quite warm.",),
        ("Charges slowly and stopped working after a month.",),
    ),
    "pitch": (
        ("Easy to pitch alone in about ten minutes.",),
        ("Pitching takes some practice the first time.",),
        ("The poles are fiddly and one snapped on the second trip.",),
    ),
    "pack_size": (
        ("Packs down small and light for backpacking.",),
        ("A bit bulky in the pack.",),
        ("Heavy and bulky, not great for hiking.",),
    ),
    "warm_night": (
        ("Kept me warm on a night near freezing.",),
        ("Comfortable down to about five degrees, chilly below that.",),
        ("I was cold all night, well above the stated comfort rating.",),
    ),
    "mount": (
        ("Fits my bike easily and stays put on bumpy roads.",),
        ("Fiddly to fit the first time, fine after that.",),
        ("Rattles loose on rough roads.",),
    ),
    "grip": (
        ("Great grip, even in a sweaty class.",),
        ("Grippy once broken in, a little slippery at first.",),
        ("Slippery as soon as I start to sweat.",),
    ),
    "smell": (
        ("No chemical smell at all.",),
        ("A slight smell at first that faded after a few days.",),
        ("Had a strong rubber smell for weeks.",),
    ),
    "skin": (
        ("My skin feels soft and calm, with no irritation.", "Absorbs quickly and leaves no greasy film."),
        ("Nice texture, but I have not seen much difference yet.",),
        ("Broke me out within a few days.",),
    ),
    "packaging": (
        ("Nice packaging, and the pump works perfectly.",),
        ("Pretty packaging, but the pump sputters a little.",),
        ("The pump broke within a week.",),
    ),
    "subtle_scent": (
        ("A light, pleasant scent that does not linger.",),
        ("The scent is a bit stronger than I would like.",),
        ("The scent is far too strong for me.",),
    ),
    "scent": (
        ("Lovely scent, fresh at first and warmer later in the day.", "I get compliments every time."),
        ("Nice scent, but quite different from what the description suggests.",),
        ("Smells rather synthetic, nothing like the description.",),
    ),
    "longevity": (
        ("The scent lasts all day.",),
        ("Fades after a couple of hours.",),
        ("Gone within the hour.",),
    ),
    "fun": (
        ("A hit with the whole family; we play every weekend.", "Hours of fun, and it never gets old."),
        ("Fun the first few times, less so after.",),
        ("Boring after one round.",),
    ),
    "rules": (
        ("Clear rules; we were playing within fifteen minutes.",),
        ("The rulebook is confusing, but it clicks after a round.",),
        ("The rules are a mess and we gave up.",),
    ),
    "pieces": (
        ("The pieces fit snugly and the picture is crisp.", "Lovely sturdy components."),
        ("A few pieces fit a little loosely.",),
        ("Pieces were missing and the cardboard is thin.",),
    ),
    "paper": (
        ("The paper takes fountain pen ink with no bleed-through.", "Lies flat when open, which I love."),
        ("Some ghosting with fountain pens, fine with a ballpoint.",),
        ("Ink bleeds straight through the paper.",),
    ),
    "binding": (
        ("The binding is solid and the cover has held up well.",),
        ("The cover scuffs easily, but the binding is fine.",),
        ("The binding came apart after a month.",),
    ),
    "capacity": (
        ("Holds my laptop, lunch and a jacket with room to spare.",),
        ("A little smaller inside than I expected.",),
        ("Too small for a 15-inch laptop, despite the description.",),
    ),
    "straps": (
        ("The straps stay comfortable even when fully loaded.",),
        ("The straps could use more padding.",),
        ("The straps dig into my shoulders.",),
    ),
}  # fmt: skip

# What reviewers write about, by category name (the product's category and
# its ancestors, as in catalog.seeding.vocabulary.TREE); "quality" and
# "value" fit everything.
TOPICS: dict[str, tuple[str, ...]] = {
    "Clothing": ("fit", "fabric", "washing"),
    "Jackets": ("warmth", "rain", "fit"),
    "Sweaters": ("warmth", "fabric"),
    "T-Shirts": ("shape", "fabric"),
    "Trousers": ("fit", "length"),
    "Jeans": ("denim",),
    "Shoes": ("shoe_fit", "comfort_feet", "sole"),
    "Boots": ("rain",),
    "Home & Kitchen": ("sturdy", "home_looks"),
    "Cookware": ("heat", "cleaning", "handle"),
    "Tableware": ("dishwasher", "looks"),
    "Bedding": ("softness", "bed_fit", "washing", "looks"),
    "Electronics": ("pairing", "battery"),
    "Headphones": ("sound", "comfort_head"),
    "Speakers": ("sound",),
    "Chargers": ("charging",),
    "Sports & Outdoors": ("sturdy",),
    "Camping": ("pack_size",),
    "Tents": ("pitch", "rain"),
    "Sleeping Bags": ("warm_night",),
    "Cycling": ("mount",),
    "Yoga": ("grip", "smell"),
    "Beauty": ("subtle_scent", "packaging"),
    "Skincare": ("skin",),
    "Fragrance": ("scent", "longevity"),
    "Toys & Games": ("fun", "pieces"),
    "Board Games": ("rules",),
    "Office": ("quality",),
    "Notebooks": ("paper", "binding"),
    "Bags": ("capacity", "straps"),
}
GENERAL = ("quality", "value")
# Aspects that do not fit a category: a charger does not pair with a phone,
# a perfume is meant to be smelt, nobody calls a face cream well made.
UNFIT: dict[str, tuple[str, ...]] = {
    "Chargers": ("pairing", "battery"),
    "Fragrance": ("subtle_scent",),
    "Beauty": ("quality",),
}

# Short titles that name the aspect: (good, bad).
ASPECT_TITLES: dict[str, tuple[str, str]] = {
    "fit": ("Perfect fit", "Runs small"),
    "fabric": ("Lovely fabric", "Thin fabric"),
    "warmth": ("Really warm", "Not warm enough"),
    "rain": ("Properly waterproof", "Not waterproof"),
    "shoe_fit": ("Fits like a glove", "Too narrow"),
    "comfort_feet": ("So comfortable", "Painful to wear"),
    "sturdy": ("Built to last", "Flimsy"),
    "heat": ("Heats beautifully", "Uneven heat"),
    "sound": ("Great sound", "Disappointing sound"),
    "battery": ("Battery lasts ages", "Poor battery"),
    "charging": ("Fast and reliable", "Slow charging"),
    "pitch": ("Easy to pitch", "Fiddly to pitch"),
    "warm_night": ("Warm and cosy", "Too cold"),
    "grip": ("Great grip", "Slippery"),
    "skin": ("My skin loves it", "Irritated my skin"),
    "scent": ("Beautiful scent", "Not the scent I expected"),
    "fun": ("Family favourite", "Not much fun"),
    "paper": ("Lovely paper", "Ink bleeds through"),
    "capacity": ("Fits everything", "Too small"),
    "value": ("Great value", "Overpriced"),
}
TITLES: dict[int, tuple[str, ...]] = {
    5: ("Love it", "Excellent {noun}", "Exactly what I wanted", "Best purchase this year",
        "Highly recommended", "Perfect", "Could not be happier"),
    4: ("Very good", "Great, with one small catch", "Happy with it", "Good value", "Solid {noun}",
        "Nearly perfect"),
    3: ("Okay", "Decent but not great", "Mixed feelings", "Does the job", "Fine for the price"),
    2: ("Not great", "Expected more", "Disappointing", "Not for me"),
    1: ("Very disappointed", "Would not buy again", "Sent it back", "Avoid"),
}  # fmt: skip
OPENERS = (
    "Bought this as a gift for my partner.", "I have been using {it} for {weeks} weeks now.",
    "Ordered after reading the other reviews.", "My second order from this shop.",
    "Replaced an old one that lasted ten years.", "Arrived in two days, nicely packed.",
    "Bought in the sale.",
)  # fmt: skip
CLOSERS: dict[str, tuple[str, ...]] = {
    "good": ("Would buy again.", "Highly recommended.", "Already thinking about getting a second one.",
             "Very happy with it."),
    "mixed": ("Fine for the price.", "Good, not great.", "Keeping it, with reservations."),
    "bad": ("Sending it back.", "Would not buy again.", "The return was easy, at least."),
}  # fmt: skip
SIZE_SENTENCES: dict[str, str] = {
    "good": "Ordered my usual {size} and the fit is perfect.",
    "mixed": "Ordered my usual {size}; the fit is fine, but one size down would have been better.",
    "bad": "Ordered my usual {size} and the fit is far too tight.",
}
REPLIES: dict[str, tuple[str, ...]] = {
    "good": ("Thank you, {name}! We are glad you like the {noun}.",
             "Thanks for taking the time to write this, {name}. Enjoy your {noun}!"),
    "mixed": ("Thanks for the balanced review, {name}. We have shared your notes with the maker.",),
    "bad": ("We are sorry to hear this, {name}. Please get in touch with our support team so that we "
            "can arrange a replacement or a refund.",
            "Thank you for the honest feedback, {name}. We have passed it on to the maker, and our "
            "support team will gladly help with a return."),
}  # fmt: skip
# How the stars fall (1..5) for a good, an average and a poor product.
