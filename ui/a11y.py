"""Page-wide CSS for WCAG 2.1 AA text contrast where the theme alone cannot reach it."""

# Streamlit writes a slider's value and the chosen segment of a segmented control in the accent
# colour, and multiselect tags in white on the accent. On the dark background no accent reaches
# 4.5:1 both ways (the default: 4.6:1 for the tags, 3.6–3.9:1 for the rest), so these two take
# the text colour; the chosen segment (or pill) keeps its tinted background and accent border.
CSS = """<style>
[data-testid="stSliderThumbValue"],
[data-testid="stButtonGroup"] [aria-checked="true"],
[data-testid="stButtonGroup"] [aria-pressed="true"] { color: inherit !important; }
</style>"""
