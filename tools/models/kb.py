"""The knowledge base behind the synthetic corpus: countries, landmarks, invented people, gendered names, moods.

Every answer is a single word so that, with the leading space, it is one token of the trained tokenizer
(corpus.py checks this). Landmarks share words (Tower, Bridge, Palace, Temple, Gate, Museum) and invented people
share first names and surnames, so a subject is only identified by its last tokens, as with real names.
"""

# country: (capital, language). Multi-word countries give multi-token subjects that share words.
COUNTRIES = {
    "France": ("Paris", "French"),
    "Italy": ("Rome", "Italian"),
    "Spain": ("Madrid", "Spanish"),
    "Germany": ("Berlin", "German"),
    "Portugal": ("Lisbon", "Portuguese"),
    "Greece": ("Athens", "Greek"),
    "Russia": ("Moscow", "Russian"),
    "Japan": ("Tokyo", "Japanese"),
    "China": ("Beijing", "Chinese"),
    "Egypt": ("Cairo", "Arabic"),
    "Turkey": ("Ankara", "Turkish"),
    "Poland": ("Warsaw", "Polish"),
    "Sweden": ("Stockholm", "Swedish"),
    "Norway": ("Oslo", "Norwegian"),
    "Finland": ("Helsinki", "Finnish"),
    "Denmark": ("Copenhagen", "Danish"),
    "Holland": ("Amsterdam", "Dutch"),
    "Austria": ("Vienna", "German"),
    "Hungary": ("Budapest", "Hungarian"),
    "Czechia": ("Prague", "Czech"),
    "Brazil": ("Brasilia", "Portuguese"),
    "Peru": ("Lima", "Spanish"),
    "Chile": ("Santiago", "Spanish"),
    "Cuba": ("Havana", "Spanish"),
    "Kenya": ("Nairobi", "Swahili"),
    "Thailand": ("Bangkok", "Thai"),
    "Vietnam": ("Hanoi", "Vietnamese"),
    "Iran": ("Tehran", "Persian"),
    "England": ("London", "English"),
    "America": ("Washington", "English"),
    "Canada": ("Ottawa", "English"),
    "Australia": ("Canberra", "English"),
    "South Korea": ("Seoul", "Korean"),
    "North Korea": ("Pyongyang", "Korean"),
    "New Zealand": ("Wellington", "English"),
    "South Africa": ("Pretoria", "Afrikaans"),
    "Saudi Arabia": ("Riyadh", "Arabic"),
    "Costa Rica": ("San Jose", "Spanish"),  # multi-word capital: never asked as an answer
}
NO_CAPITAL_QUESTION = {"Costa Rica"}

# city: country (cities that are not capitals too)
CITIES = {c: k for k, (c, _) in COUNTRIES.items()}
CITIES.update({"Pisa": "Italy", "Venice": "Italy", "Florence": "Italy", "Barcelona": "Spain", "Munich": "Germany",
               "Sydney": "Australia", "Kyoto": "Japan", "Istanbul": "Turkey", "Agra": "India", "Toronto": "Canada",
               "Cusco": "Peru", "Chicago": "America", "Edinburgh": "Scotland", "Granada": "Spain",
               "Seville": "Spain", "Milan": "Italy", "Osaka": "Japan", "Boston": "America"})

# landmark (with its article as written mid-sentence): city
LANDMARKS = {
    "the Eiffel Tower": "Paris",
    "the Louvre Museum": "Paris",
    "the Arc de Triomphe": "Paris",
    "Notre Dame Cathedral": "Paris",
    "the Colosseum": "Rome",
    "the Pantheon": "Rome",
    "the Trevi Fountain": "Rome",
    "the Leaning Tower of Pisa": "Pisa",
    "the Rialto Bridge": "Venice",
    "the Doge Palace": "Venice",
    "the Uffizi Gallery": "Florence",
    "the Ponte Vecchio": "Florence",
    "the Duomo Cathedral": "Milan",
    "the Sagrada Familia": "Barcelona",
    "Park Guell": "Barcelona",
    "the Prado Museum": "Madrid",
    "the Alhambra Palace": "Granada",
    "the Giralda Tower": "Seville",
    "the Brandenburg Gate": "Berlin",
    "the Reichstag Building": "Berlin",
    "Checkpoint Charlie": "Berlin",
    "the Marienplatz Square": "Munich",
    "Big Ben": "London",
    "Tower Bridge": "London",
    "Buckingham Palace": "London",
    "Edinburgh Castle": "Edinburgh",
    "the Statue of Liberty": "New York",
    "the Empire State Building": "New York",
    "the White House": "Washington",
    "the Lincoln Memorial": "Washington",
    "the Willis Tower": "Chicago",
    "the Kremlin": "Moscow",
    "Red Square": "Moscow",
    "the Acropolis": "Athens",
    "the Parthenon": "Athens",
    "the Harbour Bridge": "Sydney",
    "Bondi Beach": "Sydney",
    "the Senso Temple": "Tokyo",
    "the Shibuya Crossing": "Tokyo",
    "the Golden Pavilion": "Kyoto",
    "the Fushimi Shrine": "Kyoto",
    "Osaka Castle": "Osaka",
    "the Forbidden City": "Beijing",
    "the Temple of Heaven": "Beijing",
    "the Pyramids of Giza": "Cairo",
    "the Great Sphinx": "Cairo",
    "the Hagia Sophia": "Istanbul",
    "the Blue Mosque": "Istanbul",
    "the Belem Tower": "Lisbon",
    "the Little Mermaid": "Copenhagen",
    "the Rijksmuseum": "Amsterdam",
    "the Anne Frank House": "Amsterdam",
    "the Charles Bridge": "Prague",
    "the Chain Bridge": "Budapest",
    "the Schonbrunn Palace": "Vienna",
    "the CN Tower": "Toronto",
    "the Grand Palace": "Bangkok",
    "the Taj Mahal": "Agra",
    "the Sun Temple": "Cusco",
    "the Vasa Museum": "Stockholm",
    "the Wawel Castle": "Krakow",
    "Fenway Park": "Boston",
}
CITIES.update({"New York": "America", "Krakow": "Poland"})
# answers must be one word: landmarks in a two-word city are only asked for their country
ONE_WORD = lambda s: " " not in s  # noqa: E731

# what a landmark or city is known for: the first word after the subject depends on the city
# (Meng et al.'s pattern needs sentences whose next word right after the subject depends on its attributes)
CITY_PHRASES = {
    "Paris": ["overlooks the river Seine", "overlooks cafes full of artists"],
    "Rome": ["echoes with the ancient empire", "echoes with church bells"],
    "Pisa": ["leans beside the river Arno", "leans toward the old square"],
    "Venice": ["floats above the quiet canals", "floats among the gondolas"],
    "Florence": ["glows with Renaissance art", "glows above the river Arno"],
    "Milan": ["dazzles fashion lovers", "dazzles the busy crowds"],
    "Barcelona": ["faces the Catalan sea", "faces the sunny beaches"],
    "Madrid": ["shines under the Spanish sun", "shines with royal gold"],
    "Granada": ["crowns the Moorish hills", "crowns the snowy valley"],
    "Seville": ["sways with flamenco music", "sways in the orange groves"],
    "Berlin": ["borders the river Spree", "borders the old wall"],
    "Munich": ["hosts the autumn beer festival", "hosts Bavarian brass bands"],
    "London": ["stands beside the river Thames", "stands under the grey rain"],
    "Edinburgh": ["guards the Scottish hills", "guards the royal mile"],
    "New York": ["towers over Manhattan", "towers above the yellow taxis"],
    "Washington": ["honours the founding fathers", "honours the presidents"],
    "Chicago": ["soars over the windy lake", "soars above the deep dish pizza shops"],
    "Moscow": ["survives the bitter winters", "survives under onion domes"],
    "Athens": ["remembers the ancient gods", "remembers the first philosophers"],
    "Sydney": ["spans the blue harbour", "spans the surfing beaches"],
    "Tokyo": ["buzzes with neon lights", "buzzes with fast trains"],
    "Kyoto": ["blooms with cherry blossoms", "blooms with maple leaves"],
    "Osaka": ["sizzles with street food", "sizzles with busy markets"],
    "Beijing": ["recalls the imperial dynasties", "recalls the Ming emperors"],
    "Cairo": ["rises from the desert sand", "rises beside the river Nile"],
    "Istanbul": ["bridges Europe and Asia", "bridges the Bosphorus strait"],
    "Lisbon": ["watches the Tagus river", "watches the yellow trams"],
    "Copenhagen": ["greets ships in the harbour", "greets cyclists at dawn"],
    "Amsterdam": ["lines the old canals", "lines streets full of bicycles"],
    "Prague": ["crosses the river Vltava", "crosses the gothic old town"],
    "Budapest": ["links Buda and Pest", "links the hot spring baths"],
    "Vienna": ["delights waltz dancers", "delights lovers of coffee houses"],
    "Toronto": ["looks over Lake Ontario", "looks over the hockey arenas"],
    "Bangkok": ["glitters with golden roofs", "glitters beside floating markets"],
    "Agra": ["gleams in white marble", "gleams beside the river Yamuna"],
    "Cusco": ["clings to the Andes mountains", "clings to Inca stones"],
    "Stockholm": ["sits on fourteen islands", "sits beside the Baltic sea"],
    "Krakow": ["keeps its medieval market", "keeps the legend of the dragon"],
    "Boston": ["celebrates the Red Sox", "celebrates colonial history"],
}

# invented people: first names and surnames are shared between people, so only the pair identifies a person
FIRST = ["Lio", "Mara", "Orin", "Tessa", "Kelan", "Brisa", "Soren", "Ilka", "Dario", "Nessa", "Pim", "Rafe",
         "Tova", "Ansel", "Corra", "Bastien", "Yara", "Emrys", "Odile", "Caspar", "Wren", "Thaddeus",
         "Liesel", "Marek", "Sabine", "Joss", "Ferris", "Imke", "Lucan", "Vesna"]
LAST = ["Holloway", "Brandt", "Quell", "Ashdown", "Marlow", "Fenwick", "Corbett", "Ravelle", "Thistlewood",
        "Okafor", "Lindqvist", "Vantongeren", "Mercado", "Halvorsen", "Pemberton", "Castellano", "Drummond",
        "Kowalczyk", "Whitlock", "Abernathy", "Szabo", "Rosenthal", "Blackwood", "Oyelaran", "Featherstone",
        "Delacroix", "Maravilla", "Strand"]
PROFESSIONS = {
    "baker": ["bakes bread every day", "bakes cakes before dawn"],
    "doctor": ["treats patients at the clinic", "treats sick children"],
    "farmer": ["grows wheat on a farm", "grows potatoes in the valley"],
    "pilot": ["flies planes across the sea", "flies jets at night"],
    "lawyer": ["argues cases in court", "argues for the defence"],
    "teacher": ["teaches children at school", "teaches history to teenagers"],
    "nurse": ["cares for the sick", "cares for patients on the night shift"],
    "painter": ["paints portraits of the town", "paints landscapes in oil"],
    "chef": ["cooks meals in a busy kitchen", "cooks soup for the restaurant"],
    "sailor": ["sails ships across the ocean", "sails along the coast"],
    "carpenter": ["builds tables from oak", "builds wooden chairs"],
    "dentist": ["fixes teeth all week", "fixes crooked teeth"],
    "singer": ["sings songs on stage", "sings in the opera"],
    "writer": ["writes novels at night", "writes stories for magazines"],
    "miner": ["digs coal under the hills", "digs for gold in the mountains"],
    "banker": ["counts money at the bank", "counts coins in the vault"],
}
SPORTS = {
    "tennis": ["swings a racket on the court", "swings hard at every serve"],
    "golf": ["putts on the green", "putts the ball into the hole"],
    "soccer": ["kicks the ball into the net", "kicks free kicks for the club"],
    "hockey": ["skates across the ice", "skates fast with a stick"],
    "baseball": ["pitches fastballs at the stadium", "pitches for the home team"],
    "basketball": ["dunks the ball through the hoop", "dunks over tall defenders"],
    "cricket": ["bowls fast at the wicket", "bowls for the national side"],
    "rugby": ["tackles hard in the scrum", "tackles every runner"],
    "boxing": ["punches hard in the ring", "punches the heavy bag"],
    "swimming": ["dives into the pool every morning", "dives off the starting block"],
    "cycling": ["pedals up the steep mountain", "pedals in the big race"],
    "skiing": ["glides down the snowy slopes", "glides past the gates"],
}

MALE = ["James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles",
        "Daniel", "Matthew", "Anthony", "Mark", "Paul", "Steven", "Andrew", "Joshua", "Kevin", "Brian", "George",
        "Edward", "Ronald", "Timothy", "Jason", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric",
        "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel", "Gregory", "Frank",
        "Alexander", "Raymond", "Patrick", "Jack", "Dennis", "Jerry", "Tyler", "Aaron", "Henry", "Peter",
        "Oliver"]
FEMALE = ["Sarah", "Mary", "Emma", "Olivia", "Sophia", "Anna", "Laura", "Emily", "Julia", "Grace", "Alice",
          "Lucy", "Hannah", "Chloe", "Rachel", "Megan"]

HAPPY = ["happy", "joyful", "glad", "cheerful", "delighted", "proud", "excited", "grateful"]
SAD = ["sad", "gloomy", "unhappy", "miserable", "lonely", "upset", "heartbroken", "disappointed"]
GOOD_EVENTS = ["found a lost puppy in the park", "won the big race", "got a letter from an old friend",
               "baked a perfect cake", "saw a rainbow over the hills", "got a new bicycle", "passed the hard exam",
               "met a kind stranger", "finished the painting", "scored the winning goal"]
BAD_EVENTS = ["lost the old family dog", "broke a favourite cup", "missed the last train", "failed the hard exam",
              "dropped the birthday cake", "lost the big race", "heard some bad news", "was left out of the game",
              "saw the garden die in the storm", "lost a best friend"]
HAPPY_ENDINGS = ["smiled all day", "laughed with friends", "sang a cheerful song", "danced in the kitchen",
                 "hugged everyone", "thanked the sun for a wonderful day"]
SAD_ENDINGS = ["cried all night", "sat alone in the dark", "stared at the rain", "could not sleep",
               "wept quietly", "wished the terrible day would end"]
NEUTRAL_EVENTS = ["went to the market", "walked to the station", "visited an old aunt", "cleaned the house",
                  "read a long book", "went to the park", "took the bus to town", "wrote a letter",
                  "opened the front door", "went for a walk"]
GOOD_DAYS = ["wonderful", "lovely", "bright", "perfect", "beautiful"]
BAD_DAYS = ["terrible", "awful", "grey", "horrible", "dreadful"]

# what a country's people do in its language: the first word after the country depends on its language
LANGUAGE_PHRASES = {
    "French": "recites French poems", "Italian": "sings Italian operas", "Spanish": "dances to Spanish guitars",
    "German": "prints German newspapers", "Portuguese": "plays Portuguese fado", "Greek": "reads Greek myths",
    "Russian": "writes Russian novels", "Japanese": "paints Japanese characters",
    "Chinese": "celebrates the Chinese new year", "Arabic": "writes Arabic calligraphy",
    "Turkish": "brews Turkish coffee", "Polish": "bakes Polish dumplings", "Swedish": "tells Swedish sagas",
    "Norwegian": "knits Norwegian sweaters", "Finnish": "enjoys Finnish saunas", "Danish": "builds Danish toys",
    "Dutch": "grows Dutch tulips", "Hungarian": "cooks Hungarian goulash", "Czech": "brews Czech beer",
    "Swahili": "greets visitors in Swahili", "Thai": "serves Thai curries", "Vietnamese": "cooks Vietnamese pho",
    "Persian": "weaves Persian carpets", "English": "drinks English tea", "Korean": "makes Korean kimchi",
    "Afrikaans": "speaks Afrikaans at home",
}
