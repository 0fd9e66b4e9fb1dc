package org.samtune.io;

import java.nio.file.Path;

/**
 * A parsed DICOM file: the file meta group (group 0002, empty for files written without one), the data set and
 * the transfer syntax the data set was read with.
 */
public record DicomFile(Path file, DicomObject fileMeta, DicomObject dataset, TransferSyntax transferSyntax) {}
