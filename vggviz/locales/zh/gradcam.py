"""The Grad-CAM page and the attribution library: methods, their notes, the trust panel
(pages/gradcam.py, vggviz/attribution/, vggviz/trust.py). Method names that are proper
names (Grad-CAM, Grad-CAM++, Guided Grad-CAM, SmoothGrad) stay as they are."""


MESSAGES = {
    'Grad-CAM: where the network looks':
        'Grad-CAM：网络在看哪里',
    'Grad-CAM (Selvaraju et al., 2017) weights each channel of a layer by how much the class score rises when that channel rises (its gradient, averaged over the map), sums the weighted channels and keeps the positive part: the brighter, the more this layer holds evidence **for** the class there.':
        'Grad-CAM（Selvaraju 等，2017）按类别得分随某个通道增大而上升的程度（即该通道的梯度在特征图上的平均）为该层的每个通道加权，把加权后的通道相加，只保留正的部分：颜色越亮，这一层在那里支持该类别的证据就越多。',
    'Target class':
        '目标类别',
    'Layer':
        '层',
    'Opacity of the heatmap':
        '热力图不透明度',
    'Colormap':
        '色图',
    'Class probability':
        '类别概率',
    'Map maximum':
        '图的最大值',
    '⬇️ Overlay (PNG)':
        '⬇️ 叠加图（PNG）',
    '⬇️ Heatmap (.npy, float32, image size, 0–1)':
        '⬇️ 热力图（.npy，float32，图像尺寸，0–1）',
    'Through the depth':
        '随深度变化',
    'The same class at the end of each block: early maps are sharp but about edges and colours (any class looks much the same), late maps are coarse but about the object.':
        '同一个类别在每个卷积块末端的图：浅层的图清晰，但反映的是边缘和颜色（任何类别看起来都差不多）；深层的图粗糙，但反映的是物体本身。',
    'Can this map be trusted?':
        '这张图可信吗？',
    'Check this map (randomise the model, delete and insert pixels)':
        '检验这张图（随机化模型、删除和插入像素）',
    'Compare methods':
        '比较方法',
    'Grad-CAM across depths: VGG11, 13, 16, 19':
        '不同深度的 Grad-CAM：VGG11、13、16、19',
    'Run VGG11, 13, 16 and 19':
        '运行 VGG11、13、16 和 19',
    'The Grad-CAM of a random network means nothing (its gradients favour no object), so read the maps below only as a demonstration of the method.':
        '随机网络的 Grad-CAM 没有任何意义（它的梯度不偏向任何物体），下面的图只能当作这一方法的演示来看。',
    "Every conv, ReLU and pool layer. The default is the last conv whose map is at least 8×8: conv5_x for a full-size VGG (14×14 at 224 px); for the mini family conv4_x (8×8 at 64 px), because there conv5's 4×4 cells each see the whole image.":
        '所有卷积层、ReLU 层和池化层。默认是特征图至少为 8×8 的最后一个卷积层：完整尺寸的 VGG 为 conv5_x（224 px 时 14×14）；mini 系列为 conv4_x（64 px 时 8×8），因为在那里 conv5 的 4×4 个格子每个都能看到整张图像。',
    'Before scaling to [0, 1]: Σ_k α_k A_k at the hottest position':
        '缩放到 [0, 1] 之前：最热位置上的 Σ_k α_k A_k',
    'The map is zero everywhere: at this layer nothing speaks *for* this class (every weighted sum is negative and Grad-CAM keeps only the positive part).':
        '这张图处处为零：在这一层没有任何东西*支持*这个类别（每个加权和都是负的，而 Grad-CAM 只保留正的部分）。',
    'Runs on a private copy of the model and costs a few dozen forward passes; off by default.':
        '在模型的私有副本上运行，需要几十次前向传播；默认关闭。',
    "Two tests from the research literature. **Randomisation** (Adebayo et al., 2018): the weights are re-initialised from the top (fc8) down, one layer or block at a time, and the map recomputed; a map that hardly changes (rank correlation ρ near 1) shows the image, not what the network learned. **Deletion / insertion** (Petsiuk et al., 2018): pixels are greyed out (or put back into a blurred image) in the map's order of importance; a faithful map makes the probability fall (rise) faster than a random order: lower deletion AUC, higher insertion AUC.":
        '来自研究文献的两个检验。**随机化**（Adebayo 等，2018）：从顶层（fc8）往下，一次一层或一个卷积块地重新初始化权重，并重新计算这张图；几乎不变的图（秩相关系数 ρ 接近 1）显示的是图像本身，而不是网络学到的东西。**删除 / 插入**（Petsiuk 等，2018）：按图给出的重要性顺序把像素变灰（或放回一张模糊的图像中）；一张忠实的图会让概率比随机顺序下降（上升）得更快：删除 AUC 更低，插入 AUC 更高。',
    'Method':
        '方法',
    'Steps (budget)':
        '步数（预算）',
    'Grad-CAM of **{label}** ({target}) at **{layer}**, {h}×{w} upsampled bilinearly to the {px} px crop. Outside the white box (dimmed) is what the centre crop cut away: the network never saw it.':
        '**{label}**（{target}）在 **{layer}** 的 Grad-CAM，{h}×{w}，双线性上采样到 {px} px 的裁剪区域。白框外（变暗部分）是中心裁剪去掉的区域：网络从未看到它。',
    '{layer} · {h}×{w} · as computed':
        '{layer} · {h}×{w} · 计算所得',
    '{delta} vs random':
        '相对随机 {delta}',
    'Compute {methods}':
        '计算 {methods}',
    'Hides each place in turn with a square of the mean colour and records how much the class score (logit) drops; no gradients, but one forward pass per position.':
        '依次用一个平均颜色的方块遮住每个位置，记录类别得分（logit）下降了多少；不需要梯度，但每个位置都要一次前向传播。',
    "Each network's own top-5 and its Grad-CAM of **{label}** at its last conv. Networks not already loaded are loaded one at a time and dropped again.":
        '每个网络自己的前 5 名，以及它在最后一个卷积层上对 **{label}** 的 Grad-CAM。尚未加载的网络会逐个加载，用完后再释放。',
    'Starting…':
        '正在开始…',
    'Done':
        '完成',
    'The top-5 classes come first; type to search all {n} classes.':
        '前 5 名类别排在最前面；输入文字可搜索全部 {n} 个类别。',
    'softmax output for {label} ({target})':
        '{label}（{target}）的 softmax 输出',
    "The map of **{layer}** is taken at the convolution's output, before its ReLU (as captum does with `layer=features[i]` of the conv). Gradients there also flow through units the ReLU switches off; pick **{relu}** for the map after the ReLU.":
        '**{layer}** 的图取自卷积层的输出，即 ReLU 之前（与 captum 对该卷积使用 `layer=features[i]` 时一样）。那里的梯度也会流过被 ReLU 关闭的单元；要看 ReLU 之后的图，请选 **{relu}**。',
    'Randomising a private copy of the model…':
        '正在随机化模型的私有副本…',
    "Each step re-initialises that layer (or conv block) and keeps every layer above it random. A map that still looks like the first one after fc8…fc6 and conv5 are random is explaining edges of the image, not the class. Beware: maps with large zero areas (Grad-CAM's ReLU) give ρ from few pixels.":
        '每一步重新初始化该层（或卷积块），并保持其上所有层为随机。如果在 fc8…fc6 和 conv5 都已随机之后，图看起来仍和第一张一样，那它解释的是图像的边缘，而不是类别。注意：有大片零值区域的图（Grad-CAM 的 ReLU）只根据少数像素得出 ρ。',
    'Deletion AUC':
        '删除 AUC',
    'Deletion AUC, random order':
        '删除 AUC，随机顺序',
    'Insertion AUC':
        '插入 AUC',
    'Insertion AUC, random order':
        '插入 AUC，随机顺序',
    'One more forward and backward pass through the whole network per method; the layer-level methods ({cams}) only rerun the layers after the chosen one.':
        '每种方法需要在整个网络上多做一次前向和反向传播；层级方法（{cams}）只重新计算所选层之后的层。',
    'Occlusion (slides a grey patch; {passes} forward passes)':
        '遮挡（滑动一个灰色方块；{passes} 次前向传播）',
    '{passes} forward passes with these settings: {n}×{n} patch positions plus the unoccluded image.':
        '按当前设置需 {passes} 次前向传播：{n}×{n} 个方块位置，加上未遮挡的图像。',
    'Occlusion…':
        '遮挡…',
    'All over the {px} px crop the network sees; the layer-level maps at {layer}. Pixel-level maps show the largest |attribution| over the colour channels, scaled to their 99.5th percentile.':
        '全部显示在网络看到的 {px} px 裁剪区域上；层级方法的图取自 {layer}。像素级的图显示各颜色通道中最大的 |归因值|，并按其第 99.5 百分位数缩放。',
    'top-{k}':
        '前 {k}',
    'Grad-CAM failed: {error}':
        'Grad-CAM 失败：{error}',
    'The CAMs and Guided Grad-CAM at the layer picked above, the other methods at the pixels, each recomputed after every cascade step; occlusion on a coarse grid here (patch = stride = a seventh of the crop: {passes} forward passes a map).':
        'CAM 类方法和 Guided Grad-CAM 使用上面选定的层，其他方法作用于像素，每一步级联之后都重新计算；这里的遮挡使用粗网格（方块边长 = 步长 = 裁剪区域的七分之一：每张图 {passes} 次前向传播）。',
    'Deletion/insertion curves: the pixels are changed in this many steps; {passes} forward passes at {steps} steps (4 curves × (steps + 1)).':
        '删除/插入曲线：像素分这么多步改变；{steps} 步时需 {passes} 次前向传播（4 条曲线 × (步数 + 1)）。',
    'Area under the probability as the most important pixels are greyed out: lower is better.':
        '按重要性从高到低把像素变灰时，概率曲线下的面积：越低越好。',
    'Area under the probability as pixels are put back into a blurred image: higher is better.':
        '把像素放回模糊图像时，概率曲线下的面积：越高越好。',
    "**Which layer?** The depth sweep's maps, each with its deletion AUC (lower: its order removes the evidence sooner).":
        '**选哪一层？** 各卷积块末端的图，每张附上它的删除 AUC（越低：按它的顺序越早去除证据）。',
    'Patch size (px, {lo}–{hi})':
        '方块大小（px，{lo}–{hi}）',
    'Stride (px, {lo}–patch)':
        '步长（px，{lo}–方块大小）',
    'Occlusion of **{label}** ({target}), patch {patch} px, stride {stride} px, {passes} forward passes: the logit is {score} unoccluded; the largest drop is {drop}, the largest rise {rise} (rises are shown as 0: hiding there makes the class *more* likely).':
        '**{label}**（{target}）的遮挡，方块 {patch} px，步长 {stride} px，{passes} 次前向传播：未遮挡时 logit 为 {score}；最大下降为 {drop}，最大上升为 {rise}（上升显示为 0：遮住那里反而让该类别*更*可能）。',
    '{variant}: loading, analysing, Grad-CAM ({n}/{total})':
        '{variant}：加载、分析、Grad-CAM（{n}/{total}）',
    '**{variant}** · {layer} · {weights} weights':
        '**{variant}** · {layer} · {weights} 权重',
    'original':
        '原图',
    '{passes} forward passes in {seconds} s. Where it can mislead: greyed-out pixels make an image unlike any training image, so the probability can fall because of the grey blotches themselves; and a faithful map can still point at a shortcut (a watermark, the background) the network learned.':
        '{passes} 次前向传播，用时 {seconds} 秒。可能误导的地方：变灰的像素让图像不像任何训练图像，所以概率下降可能是灰色斑块本身造成的；而且一张忠实的图仍可能指向网络学到的捷径（水印、背景）。',
    '…and {method} ({passes} more passes)':
        '…以及 {method}（多 {passes} 次传播）',
    'The side of the grey square.':
        '灰色方块的边长。',
    'How far the square moves each step; the map is no finer than this. Half the stride: about four times the passes.':
        '方块每一步移动的距离；图的精细程度不会超过它。步长减半：传播次数约为四倍。',
    'Occlusion: {done}/{total} forward passes':
        '遮挡：{done}/{total} 次前向传播',
    'Comparing methods failed: {error}':
        '比较方法失败：{error}',
    'Grad-CAM across depths failed: {error}':
        '不同深度的 Grad-CAM 失败：{error}',
    'Checking the map failed: {error}':
        '检验这张图失败：{error}',
    '**Cascading randomisation** of {method} at {layer} for **{label}**: ρ = Spearman rank correlation with the original map.':
        '对 **{label}** 在 {layer} 上的 {method} 做**级联随机化**：ρ = 与原始图的 Spearman 秩相关系数。',
    '**Cascading randomisation** of {method} for **{label}**: ρ = Spearman rank correlation with the original map.':
        '对 **{label}** 的 {method} 做**级联随机化**：ρ = 与原始图的 Spearman 秩相关系数。',
    'Randomisation: {done}/{total} maps':
        '随机化：{done}/{total} 张图',
    'Deletion and insertion: {done}/{total} images':
        '删除和插入：{done}/{total} 张图像',
    '**{layer}** · deletion AUC {auc}':
        '**{layer}** · 删除 AUC {auc}',
    'Deletion through the depth: {done}/{total} images':
        '各深度的删除：{done}/{total} 张图像',
    "Where, at the chosen layer, evidence for the class sits: channel activations weighted by their average gradient. Coarse (14×14 at conv5_3 for a 224 px input; 8×8 at conv4_3 for the mini family's 64 px) but class-discriminative.":
        '在所选层上，支持该类别的证据位于何处：用各通道的平均梯度为通道激活加权。较粗糙（224 px 输入时 conv5_3 为 14×14；mini 系列 64 px 时 conv4_3 为 8×8），但能区分类别。',
    'Grad-CAM++':
        'Grad-CAM++',
    "Grad-CAM with each position's positive gradient weighted by how much it adds on its own (Chattopadhay et al. 2018): several instances of a class, or small parts, are less often drowned by the largest one. Same cost as Grad-CAM.":
        '在 Grad-CAM 的基础上，按每个位置单独贡献的大小为其正梯度加权（Chattopadhay 等，2018）：同一类别的多个实例或较小的部分，不那么容易被最大的那个淹没。计算量与 Grad-CAM 相同。',
    'layer {layer} has no spatial map for Grad-CAM; choose one of: {choices}':
        '层 {layer} 没有可用于 Grad-CAM 的空间特征图；请从以下层中选择：{choices}',
    'target must be a class index from 0 to {last}, got {target}':
        '目标必须是 0 到 {last} 之间的类别编号，得到的是 {target}',
    'occlusion patch must be a whole number of pixels from 1 to {side}, got {patch}':
        '遮挡方块必须是 1 到 {side} 之间的整数像素，得到的是 {patch}',
    'occlusion stride must be a whole number of pixels from 1 to the patch size ({patch}), got {stride}':
        '遮挡步长必须是 1 到方块大小（{patch}）之间的整数像素，得到的是 {stride}',
    'Guided Grad-CAM':
        'Guided Grad-CAM',
    'Saliency':
        '显著图',
    'Integrated Gradients':
        '积分梯度',
    'SmoothGrad':
        'SmoothGrad',
    'Guided Backprop':
        '导向反向传播',
    'Occlusion':
        '遮挡',
    'Guided backpropagation (gradients with negative values stopped at every ReLU) multiplied by the Grad-CAM map: pixel-sharp edges, restricted to where Grad-CAM looks. Guided backprop alone looks almost the same for every class; the Grad-CAM factor is what makes it class-specific.':
        '导向反向传播（在每个 ReLU 处截断负梯度）乘以 Grad-CAM 图：像素级清晰的边缘，只保留 Grad-CAM 关注的区域。单独的导向反向传播对每个类别看起来几乎一样；正是 Grad-CAM 这个因子让它具有类别特异性。',
    '|∂score/∂pixel|, the plain gradient (Simonyan et al. 2014): which pixels would change the score most if nudged. Noisy and fine-grained.':
        '|∂得分/∂像素|，即普通梯度（Simonyan 等，2014）：轻微改变哪些像素会让得分变化最大。噪声多，细节细。',
    'Gradients averaged along a straight path from a baseline (the mean colour) to the image, times the difference: the attributions add up to the score difference. Costs one forward and backward pass per step.':
        '沿着从基线（平均颜色）到图像的直线路径平均梯度，再乘以两者之差：各归因值之和等于得分之差。每一步需要一次前向和反向传播。',
    "Saliency averaged over 16 copies of the image with Gaussian noise added (σ = 15 % of the input's range; Smilkov et al. 2017): the noise of the plain gradient averages out and the object's outline remains. Costs one forward and backward pass per copy.":
        '在加了高斯噪声的 16 个图像副本上平均显著图（σ = 输入取值范围的 15 %；Smilkov 等，2017）：普通梯度的噪声被平均掉，物体的轮廓保留下来。每个副本需要一次前向和反向传播。',
    'Guided backpropagation alone (Springenberg et al. 2015): sharp edges of the whole image, much the same for every class and, as the randomisation check shows, even for a network whose classifier is random.':
        '单独的导向反向传播（Springenberg 等，2015）：整张图像的清晰边缘，对每个类别都差不多；而且正如随机化检验所示，即使分类器是随机的网络也一样。',
    'How much the class score (the logit) drops when a mean-colour (grey) square hides each place (Zeiler & Fergus 2014), averaged over the squares covering each pixel: a direct test, no gradients. The grey square is itself unlike any training image (the drop can come from the square, not from what it hides), one square hides only one part of a redundant object, and the map is no finer than the stride.':
        '用平均颜色（灰色）的方块遮住每个位置时，类别得分（logit）下降了多少（Zeiler 和 Fergus，2014），并对覆盖每个像素的所有方块取平均：一种直接的检验，不需要梯度。灰色方块本身就不像任何训练图像（下降可能来自方块本身，而不是它遮住的东西），一个方块只能遮住冗余物体的一部分，而且图的精细程度不会超过步长。',
    "Early layers: sharp maps of edges and colours, much the same for every class. The last conv block: coarse but about the class, hence the usual choice. *Can this map be trusted?* below scores each block's map by how fast deleting its pixels removes the class.":
        '浅层：边缘和颜色的清晰图，对每个类别都差不多。最后一个卷积块：粗糙但与类别有关，因此是通常的选择。下面的*这张图可信吗？*会按删除其像素后类别消失的速度，为每个卷积块的图打分。',
    'deletion, map order (AUC {auc})':
        '删除，按图的顺序（AUC {auc}）',
    'deletion, random order (AUC {auc})':
        '删除，随机顺序（AUC {auc}）',
    'insertion, map order (AUC {auc})':
        '插入，按图的顺序（AUC {auc}）',
    'insertion, random order (AUC {auc})':
        '插入，随机顺序（AUC {auc}）',
    '% of pixels removed (deletion) / inserted (insertion)':
        '被去除（删除）/ 被放回（插入）的像素所占百分比',
    'class probability':
        '类别概率',
    'steps must be a whole number from 2 to {most}, got {steps}':
        '步数必须是 2 到 {most} 之间的整数，得到的是 {steps}',
    'Probability of {label} as pixels are removed or inserted':
        '像素被去除或插入时 {label} 的概率',
    'class {index}':
        '类别 {index}',
    'Show the maps at the end of every block':
        '显示每个卷积块末尾的热力图',
    'One more pass with gradients through the whole network; kept in the link.':
        '需要再做一次贯穿整个网络的带梯度传播；此设置会保存在链接中。',
}
