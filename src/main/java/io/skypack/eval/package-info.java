/**
 * COCO-style evaluation of detections against VisDrone ground truth.
 *
 * <p>{@link io.skypack.eval.CocoEvaluator} is a port of pycocotools {@code cocoeval.py}
 * ({@code evaluate}, {@code evaluateImg}, {@code accumulate}, {@code summarize}) for the {@code
 * bbox} and {@code segm} IoU types, with the VisDrone rules of the official DET toolkit
 * (VisDrone2018-DET-toolkit, {@code saveAnnoRes.m}, {@code dropObjectsInIgr.m}, {@code
 * calcAccuracy.m}) applied on top:
 *
 * <ul>
 *   <li>Only the ten categories 1..10 are evaluated, each on its own ({@code calcAccuracy.m} loops
 *       {@code idClass = 1:10}). Ground truth of category 11 "others" is never evaluated and
 *       detections of any other category are dropped; because matching is per category, an
 *       "others" box can only absorb "others" detections, so treating it as an ignored ground truth
 *       or dropping it gives the same numbers. A detection of a scored class that lies on an
 *       "others" box is a false positive, as in the toolkit.
 *   <li>Ground truth of a scored class with score flag 0 is an ignored ground truth ({@code
 *       saveAnnoRes.m} turns the flag into evalRes' ignore column): a detection matched to it is
 *       neither a true nor a false positive. Unlike the toolkit, which matches ignored boxes by
 *       intersection over the detection's area ({@code compOas.m}), we match them by plain IoU, as
 *       cocoeval does for an ignored ground truth that is not a crowd.
 *   <li>Ignored regions (category 0) are never evaluated. Before matching, every ground truth and
 *       every detection with at least half of its box inside the union of the image's ignored
 *       regions is dropped ({@code dropObjectsInIgr.m}); see {@link
 *       io.skypack.eval.EvalParams#applyIgnoreRule()}.
 * </ul>
 *
 * <p>{@link io.skypack.eval.DetectionsFile} reads and writes detections; {@link
 * io.skypack.eval.EvalReport} holds the metrics and precision arrays and prints them; {@link
 * io.skypack.eval.PrCurvePlot} draws precision-recall curves.
 */
package io.skypack.eval;
