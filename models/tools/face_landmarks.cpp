// 68-point face landmarks for the AKD / MKR metrics, with dlib's HOG face detector and the
// shape predictor shipped by Debian's libdlib-data.
//
//   face_landmarks PREDICTOR.dat WIDTH HEIGHT < frames.rgb
//
// stdin: raw RGB24 frames of WIDTH x HEIGHT. stdout: one line per frame, either "none" (no face)
// or 136 numbers x0 y0 x1 y1 ... in pixels of the input frame (largest face only).
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: face_landmarks PREDICTOR.dat WIDTH HEIGHT < frames.rgb\n";
        return 2;
    }
    const long width = std::atol(argv[2]);
    const long height = std::atol(argv[3]);
    if (width <= 0 || height <= 0 || width > 8192 || height > 8192) {
        std::cerr << "bad frame size\n";
        return 2;
    }
    dlib::shape_predictor predictor;
    dlib::deserialize(argv[1]) >> predictor;
    dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
    // The HOG detector's smallest face is 80 px; small model frames are upsampled first.
    const int upsample = std::min(width, height) < 200 ? 2 : (std::min(width, height) < 400 ? 1 : 0);

    std::vector<unsigned char> buffer(static_cast<size_t>(width * height * 3));
    dlib::array2d<dlib::rgb_pixel> image(height, width);
    while (std::fread(buffer.data(), 1, buffer.size(), stdin) == buffer.size()) {
        for (long y = 0; y < height; ++y)
            for (long x = 0; x < width; ++x) {
                const unsigned char* p = &buffer[static_cast<size_t>((y * width + x) * 3)];
                image[y][x] = dlib::rgb_pixel(p[0], p[1], p[2]);
            }
        dlib::array2d<dlib::rgb_pixel> scaled;
        dlib::assign_image(scaled, image);
        for (int i = 0; i < upsample; ++i) dlib::pyramid_up(scaled);
        const double factor = static_cast<double>(1 << upsample);
        std::vector<dlib::rectangle> faces = detector(scaled);
        if (faces.empty()) {
            std::printf("none\n");
            continue;
        }
        dlib::rectangle best = faces[0];
        for (const auto& f : faces)
            if (f.area() > best.area()) best = f;
        const dlib::full_object_detection shape = predictor(scaled, best);
        for (unsigned long i = 0; i < shape.num_parts(); ++i)
            std::printf(i ? " %.2f %.2f" : "%.2f %.2f", shape.part(i).x() / factor, shape.part(i).y() / factor);
        std::printf("\n");
    }
    return 0;
}
