"""The presenters' slides, in three jobs: figures.py draws every picture, fragments.py renders the Markdown
tables computed from the package and runs/*.json, and deck.py builds the offline HTML decks with pandoc and
checks that nothing in them loads from the network. sources.py holds what figures and fragments both read.
"""
