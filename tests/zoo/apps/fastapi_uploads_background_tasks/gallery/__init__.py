"""gallery: albums of uploaded photos; a background task checksums each photo after the answer."""
