using MoCo.Imaging;
using MoCo.Search.Dedup;

namespace MoCo.Search.Tests.Dedup;

// Reference: the source pixels themselves. A 90% crop at its own size is a plain copy of a window of the image, so each
// corner's window is checked pixel by pixel against the offsets worked out by hand.
public class DuplicateMakerTests
{
    [TestCase(0, 0, 0)]
    [TestCase(1, 0, 4)]
    [TestCase(2, 5, 0)]
    [TestCase(3, 5, 4)]
    public void A_90_percent_crop_is_the_window_at_its_corner(int corner, int top, int left)
    {
        // 35 wide, 45 high: the crop keeps 31 x 40 (35 * 9 / 10, 45 * 9 / 10), so 4 columns and 5 rows are left over; the
        // right and bottom corners start there.
        using var image = new DecodedImage(35, 45, 1);
        for (var i = 0; i < image.Pixels.Length; i++)
        {
            image.Pixels[i] = (byte)((i * 37) % 251);
        }

        using var crop = DuplicateMaker.Crop90(image, corner);
        Assert.That((crop.Width, crop.Height, crop.Channels), Is.EqualTo((31, 40, 1)));
        for (var y = 0; y < crop.Height; y++)
        {
            for (var x = 0; x < crop.Width; x++)
            {
                Assert.That(crop.Pixels[(y * crop.Width) + x], Is.EqualTo(image.Pixels[((y + top) * image.Width) + x + left]), $"corner {corner}, ({x}, {y})");
            }
        }
    }

    [Test]
    public void A_corner_outside_the_four_is_refused()
    {
        using var image = new DecodedImage(10, 10, 1);
        Assert.That(() => DuplicateMaker.Crop90(image, 4), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => DuplicateMaker.Crop90(image, -1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
