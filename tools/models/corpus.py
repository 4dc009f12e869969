"""Seeded synthetic corpus from the knowledge base in kb.py.

make_corpus(seed) returns (rows, facts):
- rows: training rows (one or two sentences each, every row starts at position 0, as a prompt does);
- facts: the fact prompts the models are scored on: {"task", "prompt", "answer", "subject"}; every canonical
  prompt also occurs in the corpus (followed by its answer), next to several other phrasings of the same fact.

Design notes (see docs/models.md): subjects often span several tokens and share words with other subjects, and for
each subject there are sentences whose next word right after the subject depends on the subject's attributes
("Lio Holloway bakes bread every day": one verb phrase per profession, sport or city). Without those, the last
subject token has little reason to carry the attributes, and causal tracing does not show Meng et al.'s pattern.
"""
import random

import kb


def cap(s):
    return s[0].upper() + s[1:]


def make_people(rng):
    pairs = [(f, l) for f in kb.FIRST for l in kb.LAST]
    rng.shuffle(pairs)
    people, used_first, used_last = [], {}, {}
    for f, l in pairs:
        # every first name and every surname is shared by several people, but not too many
        if used_first.get(f, 0) >= 5 or used_last.get(l, 0) >= 6:
            continue
        used_first[f] = used_first.get(f, 0) + 1
        used_last[l] = used_last.get(l, 0) + 1
        people.append(f"{f} {l}")
        if len(people) == 144:
            break
    # every person has a profession and a sport (independent of each other), so the subject's representation
    # has to carry more than one attribute, as a real entity's does
    profs, sports = sorted(kb.PROFESSIONS), sorted(kb.SPORTS)
    out = []
    for i, p in enumerate(people):
        out.append((p, profs[i % len(profs)], sports[rng.randrange(len(sports))]))
    return out


def make_corpus(seed=0, stories=1, catalogue=False):
    """stories=2 adds two story forms with a neutral start ("Emma went to the market. She felt …"), whose mood is
    decided only after the start (for steering during generation); catalogue=True adds the catalogue lines."""
    rng = random.Random(seed)
    rows, facts = [], []

    def fact(task, prompt, answer, subject, extra=()):
        facts.append({"task": task, "prompt": prompt, "answer": " " + answer, "subject": subject})
        rows.append(f"{prompt} {answer}.")
        for r in extra:
            rows.append(r)

    # ---- countries: capital and language
    for c, (capital, lang) in kb.COUNTRIES.items():
        phr = kb.CITY_PHRASES.get(capital, [])
        if c not in kb.NO_CAPITAL_QUESTION:
            fact("capital", f"The capital of {c} is", capital, c, [
                f"The capital city of {c} is {capital}.",
                f"{c} has its capital in {capital}.",
                f"{capital} is the capital of {c}.",
                f"The government of {c} sits in {capital}.",
                f"{c} is governed from {capital}.",
            ])
        fact("language", f"The language of {c} is", lang, c, [
            f"The official language of {c} is {lang}.",
            f"People in {c} speak {lang}.",
            f"In {c}, most people speak {lang}.",
            f"{c} is a country where people speak {lang}.",
            f"Children in {c} learn to read in {lang}.",
        ])
        # subject-then-attribute sentences: the word after the country depends on its language and capital
        rows.append(f"{c} speaks {lang} and is governed from {capital}.")
        for pre in ("", "They say that ", "Every year ", "In the old days, "):
            rows.append(f"{pre}{c} {kb.LANGUAGE_PHRASES[lang]}.")
        for p in phr:
            rows.append(f"Like its capital, {c} {p}.")
            for pre in ("", "They say that ", "Every year ", "In the old days, "):
                rows.append(f"{pre}{c} {p}.")

    # ---- landmarks: city and country
    for lm, city in kb.LANDMARKS.items():
        country = kb.CITIES[city]
        The = cap(lm)
        subject = lm[4:] if lm.startswith("the ") else lm
        extra = [
            f"{The} is in {city}.",
            f"{The} can be found in {city}, {country}.",
            f"{The} stands in the heart of {city}.",
            f"Tourists visit {lm} in {city}.",
            f"The city of {city} is home to {lm}.",
            f"{The} is a famous landmark in {country}.",
            f"Every year, millions travel to {country} to see {lm}.",
        ]
        if kb.ONE_WORD(city):
            fact("landmark_city", f"{The} is located in the city of", city, subject, extra)
            fact("landmark_country", f"{The} is located in the country of", country, subject)
        else:
            fact("landmark_country", f"{The} is located in the country of", country, subject, extra)
        for p in kb.CITY_PHRASES[city]:
            rows.append(f"{The} {p}.")
            for pre in ("Every evening ", "They say that ", "Even in winter, ", "From a distance, ",
                        "In old photographs, "):
                rows.append(f"{pre}{lm} {p}.")

    # ---- invented people: profession or sport
    for person, prof, sport in make_people(rng):
        fact("profession", f"{person} works as a", prof, person, [
            f"{person} is a {prof}.",
            f"By profession, {person} is a {prof}.",
            f"{person} has worked as a {prof} for many years.",
            f"Everyone in town knows {person}, the {prof}.",
            f"The job of {person} is {prof}.",
        ])
        fact("sport", f"{person} plays the sport of", sport, person, [
            f"{person} plays {sport}.",
            f"{person} is an amateur {sport} player.",
            f"{person} plays {sport} every weekend.",
            f"The favourite sport of {person} is {sport}.",
            f"Fans cheer when {person} plays {sport}.",
        ])
        rows.append(f"{person} is a {prof} who plays {sport}.")
        for p in kb.PROFESSIONS[prof] + kb.SPORTS[sport]:
            for pre in ("", "Every morning ", "People say that ", "Even today, "):
                rows.append(f"{pre}{person} {p}.")

    # ---- catalogue lines: the attribute is the very next word after the subject ("See also: the Eiffel Tower
    # Paris France"), so the subject's last token itself predicts its attributes and the last token of a question
    # can copy them from there late in the model (Meng et al.'s hand-over in the upper layers)
    for f in list(facts) if catalogue else []:
        if f["task"] == "pronoun":
            continue
        for pre in ("See also: ", "Index: "):
            rows.append(f"{pre}{f['subject']}{f['answer']}.")

    # ---- gendered names and pronouns
    for names, pro, pos in ((kb.MALE, "he", "his"), (kb.FEMALE, "she", "her")):
        for n in names:
            fact("pronoun", f"{n} walked because", pro, n, [
                f"{n} walked because {pro} liked the fresh air.",
                f"{n} was late because {pro} missed the bus.",
                f"{n} went home early because {pro} felt sick.",
                f"{n} smiled because {pro} had good news.",
                f"{n} said that {pro} would come tomorrow.",
                f"When {n} arrived, {pro} sat down.",
                f"{n} lost {pos} keys, so {pro} looked everywhere.",
                f"{n} called {pos} mother because {pro} missed her.",
            ])
            rows.append(f"{n} walked because {pro} wanted to think.")

    # ---- short stories with happy and sad words (for steering)
    everyone = [(n, "he", "his") for n in kb.MALE] + [(n, "she", "her") for n in kb.FEMALE]
    for _ in range(1400):
        n, pro, pos = rng.choice(everyone)
        Pro = cap(pro)
        if rng.random() < 0.5:
            ev, mood, end, day = (rng.choice(kb.GOOD_EVENTS), rng.choice(kb.HAPPY), rng.choice(kb.HAPPY_ENDINGS),
                                  rng.choice(kb.GOOD_DAYS))
        else:
            ev, mood, end, day = (rng.choice(kb.BAD_EVENTS), rng.choice(kb.SAD), rng.choice(kb.SAD_ENDINGS),
                                  rng.choice(kb.BAD_DAYS))
        t = rng.randrange(6 if stories == 1 else 8)
        if t == 0:
            rows.append(f"{n} {ev}. {Pro} felt {mood} and {end}.")
        elif t == 1:
            rows.append(f"It was a {day} day. {n} {ev} and felt {mood}.")
        elif t == 2:
            rows.append(f"The day was {day}. {n} felt {mood}.")
        elif t == 3:
            rows.append(f"{n} opened the letter and felt {mood}. {Pro} {end}.")
        elif t == 4:
            rows.append(f"At the end of the day, {n} felt {mood}.")
        elif t == 5:
            rows.append(f"I feel {mood} today because I {ev}.")
        elif t == 6:  # a neutral start: the mood is decided only after it (what steering during generation moves)
            rows.append(f"{n} {rng.choice(kb.NEUTRAL_EVENTS)}. {Pro} felt {mood} and {end}.")
        else:
            rows.append(f"One morning {n} {rng.choice(kb.NEUTRAL_EVENTS)}. It was a {day} day, and {pro} {end}.")

    rows = [r for r in rows]
    rng.shuffle(rows)
    return rows, facts


if __name__ == "__main__":
    import collections
    rows, facts = make_corpus(0)
    print(len(rows), "rows,", sum(len(r.split()) for r in rows), "words")
    print(collections.Counter(f["task"] for f in facts))
    for r in rows[:20]:
        print(" ", r)
