package lib.picture;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.Closeable;
import java.io.IOException;

/** An animated GIF written frame by frame as the pictures come (memory stays one picture), looping forever. */
public final class GifWriter implements Closeable {
    private final ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    private final ImageOutputStream os;
    private final double intervalSeconds;
    private boolean first = true;

    /** Frames shown intervalSeconds apart. */
    public GifWriter(ImageOutputStream os, double intervalSeconds) throws IOException {
        this.intervalSeconds = intervalSeconds;
        this.os = os;
        try {
            writer.setOutput(os);
            writer.prepareWriteSequence(null);
        } catch (IOException | RuntimeException e) {
            writer.dispose();
            throw e;
        }
    }

    public void write(BufferedImage image) throws IOException {
        writer.writeToSequence(new IIOImage(image, null, metadata(image, first)), null);
        os.flush(); // each frame out as it comes: a stream to stdout would otherwise hold the whole GIF
        first = false;
    }

    /** Ends the sequence (the GIF trailer) and releases the writer. */
    public void finish() throws IOException {
        try {
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
    }

    /** Releases the writer (the GIF is incomplete unless finish() was called). */
    @Override
    public void close() {
        writer.dispose();
    }

    /** A frame's delay (the interval) and, on the first frame, the NETSCAPE2.0 block that loops forever. */
    private IIOMetadata metadata(BufferedImage image, boolean first) throws IOException {
        IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
        String format = meta.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
        IIOMetadataNode gce = child(root, "GraphicControlExtension");
        gce.setAttribute("disposalMethod", "none");
        gce.setAttribute("userInputFlag", "FALSE");
        gce.setAttribute("transparentColorFlag", "FALSE");
        gce.setAttribute("transparentColorIndex", "0");
        gce.setAttribute("delayTime", Integer.toString((int) Math.min(65535, Math.round(intervalSeconds * 100))));
        // our palette as the frame's own colour table, else the writer maps colours to a default one
        IndexColorModel cm = (IndexColorModel) image.getColorModel();
        IIOMetadataNode table = child(root, "LocalColorTable");
        table.setAttribute("sizeOfLocalColorTable", Integer.toString(cm.getMapSize()));
        table.setAttribute("sortFlag", "FALSE");
        for (int i = 0; i < cm.getMapSize(); i++) {
            IIOMetadataNode entry = new IIOMetadataNode("ColorTableEntry");
            entry.setAttribute("index", Integer.toString(i));
            entry.setAttribute("red", Integer.toString(cm.getRed(i)));
            entry.setAttribute("green", Integer.toString(cm.getGreen(i)));
            entry.setAttribute("blue", Integer.toString(cm.getBlue(i)));
            table.appendChild(entry);
        }
        if (first) {
            IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
            app.setAttribute("applicationID", "NETSCAPE");
            app.setAttribute("authenticationCode", "2.0");
            app.setUserObject(new byte[]{1, 0, 0});
            child(root, "ApplicationExtensions").appendChild(app);
        }
        meta.setFromTree(format, root);
        return meta;
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++) {
            if (root.item(i).getNodeName().equalsIgnoreCase(name)) return (IIOMetadataNode) root.item(i);
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        root.appendChild(node);
        return node;
    }
}
