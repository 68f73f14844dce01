"""Alt texts of the image rows and grids: which image, its class, which model, its error."""

from ui import gallery


def test_alt_text_names_image_class_model_and_error():
    assert gallery.alt_text("#752 Sneaker") == "Test image #752 (Sneaker)"
    assert gallery.alt_text("sample #3 Ankle boot") == "Sample image #3 (Ankle boot)"
    assert (gallery.alt_text("#752 Sneaker", "Basic autoencoder", score="BCE 0.209")
            == "Basic autoencoder's reconstruction of test image #752 (Sneaker), BCE 0.209")
    assert (gallery.alt_text("my_shirt.png", "Conv", "difference map")
            == "Conv's difference map of your picture my_shirt.png")


def test_plain_labels_lose_markdown_but_keep_underscores():
    assert gallery.plain("**Basic**  \nmean BCE 0.300") == "Basic, mean BCE 0.300"
    assert gallery.plain("`z_mean` of my_shirt") == "z_mean of my_shirt"


def test_grid_default_alt_combines_row_column_and_caption():
    alt = gallery._grid_alt("**Basic**  \nmean BCE 0.300", "#752 Sneaker", "0.209", 0)
    assert alt == "Basic, mean BCE 0.300: #752 Sneaker, 0.209"
    assert gallery._grid_alt("**Original**", "#752 Sneaker", "#752 Sneaker", 0) == \
        "Original: #752 Sneaker"
    assert gallery._grid_alt("", None, None, 2) == "Image: image 3"
