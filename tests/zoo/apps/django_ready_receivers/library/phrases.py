from common.phrases import Phrases


class LibraryPhrases(Phrases):
    app = "library"
    added = "New on the shelf: {title}"
    lent = "{title} went out with {reader}"
