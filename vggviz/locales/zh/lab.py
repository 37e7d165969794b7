"""The lab: the Fully convolutional page (dense and multi-scale evaluation) and the Train page
(the shapes lab: runs, curves, verdicts, the experiments of vggviz.lab.training)."""

MESSAGES = {
    # --- pages/fully_conv.py and vggviz/dense.py: the fully-convolutional VGG
    'average of the scales':
        '各尺度的平均',
    'yes':
        '是',
    'no':
        '否',
    'Dense evaluation at one scale':
        '单一尺度下的密集评估',
    'Shorter side of the image (px)':
        '图像短边（像素）',
    'Custom size (px)':
        '自定义尺寸（像素）',
    'Squash to a square':
        '压成正方形',
    "Multi-scale evaluation: the paper's protocol":
        '多尺度评估：论文的测试方案',
    'Test scales Q':
        '测试尺度 Q',
    'Average with the mirror image':
        '与镜像图像取平均',
    'Averaging the map':
        '对类别图取平均的方式',
    "The paper runs the dense network at each test scale and averages the class probabilities: objects of different sizes then meet a window of the right size at some scale. Within one scale it averages the class-*score* map spatially (it says *sum-pooled*) and only then takes the soft-max. Averaging each position's soft-max instead caps every position's vote at 1/(number of positions); with the mean score, one position with a very large score can outvote all the others. Sum-pooling proper (no division by the number of positions) gives the same ranking with a sharper soft-max.":
        '论文在每个测试尺度上运行密集网络，并对类别概率取平均：这样不同大小的物体总会在某个尺度上遇到大小合适的窗口。在同一尺度内，论文先对类别*得分*图做空间平均（论文称为 *sum-pooled*），然后才做 softmax。若改为对每个位置的 softmax 取平均，每个位置的票数上限就是 1/(位置数)；而用平均得分时，一个得分极高的位置可以压倒其他所有位置。真正的求和池化（不除以位置数）给出相同的排序，只是 softmax 更尖锐。',
    'the other averaging':
        '另一种平均方式',
    'Multi-crop, dense, or both':
        '多裁剪、密集评估，或两者结合',
    'Crops per scale (a grid of n×n, each also mirrored)':
        '每个尺度的裁剪数（n×n 网格，每块还做镜像）',
    'With random weights the shapes and the arithmetic on this page are right, but the class maps and predictions are noise.':
        '使用随机权重时，本页的形状和算术是对的，但类别图和预测都是噪声。',
    "Use a generated canvas of shapes instead of the sidebar's image":
        '用生成的形状画布代替侧边栏的图像',
    'Canvas seed':
        '画布种子',
    'Pick a sample image or upload one in the sidebar to run the dense evaluation.':
        '在侧边栏选择一张示例图像或上传一张，以运行密集评估。',
    "The whole image is resized so that its shorter side has this length, keeping the aspect ratio (the paper's isotropic rescaling); nothing is cropped.":
        '整张图像按比例缩放，使其短边等于这个长度，保持宽高比（论文的各向同性缩放）；不做任何裁剪。',
    'Resize to S×S instead, ignoring the aspect ratio: the map is then square.':
        '改为缩放到 S×S，忽略宽高比：这样类别图就是正方形。',
    'Running the fully-convolutional network…':
        '正在运行全卷积网络…',
    'Input fed to the network':
        '输入网络的图像',
    'Class-score map':
        '类别得分图',
    'Top class (map averaged)':
        '最高类别（对类别图取平均）',
    "The paper's flip averaging: the soft-max of the image and of its horizontal mirror image, averaged. Twice the passes.":
        '论文的翻转平均：对图像及其水平镜像各做 softmax，再取平均。前向传播次数加倍。',
    'class':
        '类别',
    'Fully convolutional {model}: dense and multi-scale evaluation':
        '全卷积 {model}：密集评估与多尺度评估',
    "At test time the paper turns the fully connected layers into convolutions: **fc6** reads the {g}×{g}×{c} pool5 block, so it *is* a {g}×{g} convolution with {c} input channels and no padding; **fc7** and **fc8** read one vector each, so they are 1×1 convolutions. The weights are the same numbers, just viewed as 4-D kernels (here the convolutions literally share the linear layers' memory). The network then takes an image of any size of at least {smallest}×{smallest} and returns a *map* of class scores, one per position of a window sliding over the image in steps of 32 pixels.":
        '测试时，论文把全连接层变成卷积层：**fc6** 读取 {g}×{g}×{c} 的 pool5 块，所以它*就是*一个 {g}×{g}、{c} 个输入通道、无填充的卷积；**fc7** 和 **fc8** 各自读取一个向量，所以它们是 1×1 卷积。权重还是同样的数字，只是被看作四维卷积核（这里的卷积层甚至直接与线性层共享内存）。于是网络可以接受任意尺寸（至少 {smallest}×{smallest}）的图像，并输出一张类别得分*图*：一个以 32 像素为步长在图像上滑动的窗口，每个位置给出一组得分。',
    'parameters':
        '参数量',
    'A 256×256 picture with four shapes of the training sizes: the class maps should light up where each shape is.':
        '一张 256×256 的图片，上面有四个训练尺寸的形状：类别图应当在每个形状所在的地方亮起来。',
    'Class to map':
        '要显示的类别',
    'The paper tests a model trained at a fixed scale S at Q = {{S − 32, S, S + 32}}, and a scale-jittered one (S from 256 to 512) at Q = {{256, 384, 512}}.':
        '论文对在固定尺度 S 上训练的模型在 Q = {{S − 32, S, S + 32}} 上测试，对尺度抖动训练的模型（S 从 256 到 512）在 Q = {{256, 384, 512}} 上测试。',
    '{size} px ({h}×{w} map)':
        '{size} 像素（{h}×{w} 的图）',
    'Multi-scale prediction: **{top}** ({p:.1%}). Per-scale top classes: {per_scale}. The last column averages the map the other way (top class: {other}).':
        '多尺度预测：**{top}**（{p:.1%}）。各尺度的最高类别：{per_scale}。最后一列用另一种方式对类别图取平均（最高类别：{other}）。',
    'Running the crops…':
        '正在运行裁剪…',
    'dense':
        '密集评估',
    'multi-crop & dense':
        '多裁剪 + 密集评估',
    'layer':
        '层',
    'before':
        '转换前',
    'weight before':
        '转换前的权重',
    'after':
        '转换后',
    'weight after':
        '转换后的权重',
    'same count':
        '参数量相同',
    'same memory':
        '内存相同',
    '. So at 384 the map is 6×6 (384 / 32 = 12, 12 − 7 + 1 = 6), not 5×5. ':
        '。所以在 384 时类别图是 6×6（384 / 32 = 12，12 − 7 + 1 = 6），而不是 5×5。',
    '. ':
        '。',
    'Cell (i, j) is centred at ({c:g} + {stride}·i, {c:g} + {stride}·j) px and sees {rf}×{rf} px of the input.':
        '单元 (i, j) 的中心位于 ({c:g} + {stride}·i, {c:g} + {stride}·j) 像素处，看到输入中 {rf}×{rf} 像素的区域。',
    'off':
        '关闭',
    'Multi-crop: {side}×{side} crops on a regular grid over the resized image, each through the original network. The paper uses 5×5 crops and their mirror images: 50 per scale, 150 over three scales. Smaller grids here cost less and say so.':
        '多裁剪：在缩放后的图像上按规则网格取 {side}×{side} 的裁剪块，每块都通过原始网络。论文使用 5×5 个裁剪块及其镜像：每个尺度 50 块，三个尺度共 150 块。这里较小的网格开销更小，并会注明。',
    'evaluation':
        '评估方式',
    'top class':
        '最高类别',
    'its probability':
        '其概率',
    'Cost counts the pixels that go through the convolutions (where almost all the MACs are), in units of one {side}×{side} crop. Dense evaluation reads each pixel once per scale; multi-crop reads overlapping crops again, but each crop is padded with real image around its border rather than with zeros, which is why the paper found the two complementary: multi-crop & dense (averaging their soft-maxes) was its best single-network result.':
        '开销统计通过卷积层的像素（几乎全部乘加运算都在那里），以一个 {side}×{side} 裁剪块为单位。密集评估在每个尺度上每个像素只读一次；多裁剪会重复读取相互重叠的裁剪块，但每块的边缘用真实图像而不是零来填充，因此论文发现两者互补：多裁剪 + 密集评估（对两者的 softmax 取平均）是它最好的单网络结果。',
    "Dense evaluation at these scales reads {crops:.1f} crops' worth of pixels ({side}×{side} each); turn multi-crop on to compare.":
        '在这些尺度上，密集评估读取的像素相当于 {crops:.1f} 个裁剪块（每块 {side}×{side}）；打开多裁剪来比较。',
    'NO':
        '否（不同！）',
    'Where the shapes really are: {places}':
        '形状的真实位置：{places}',
    'Top-5: softmax at each position, averaged over the map':
        'Top-5：每个位置做 softmax，再对整张图取平均',
    'Each cell is one position of the {g}×{g} fc6 window on pool5, drawn {stride} px wide at the centre of its field; it sees {rf}×{rf} px, so the map covers the middle of the image while each cell looks at most of it. The paper averages this map into one prediction per scale.':
        '每个单元是 fc6 的 {g}×{g} 窗口在 pool5 上的一个位置，画在其感受野的中心，宽 {stride} 像素；它看到 {rf}×{rf} 像素，所以类别图覆盖图像的中部，而每个单元都看到图像的大部分。论文把这张图平均成每个尺度的一个预测。',
    'The mini family: the same ratios to its 64 px (a 9 px step).':
        'mini 系列：与其 64 像素的比例相同（步长 9 像素）。',
    'soft-max at each position, then mean':
        '每个位置做 softmax，再取平均',
    'mean class score, then soft-max (the paper)':
        '先对类别得分取平均，再做 softmax（论文的做法）',
    'multi-crop ({n} crops)':
        '多裁剪（{n} 个裁剪块）',
    '**How big is the map?** Five max-pools divide the side by 32 (rounding down), and the {g}×{g} fc6 takes {k} away: an S×S input gives (⌊S/32⌋ − {k}) × (⌊S/32⌋ − {k}) positions. ':
        '**类别图有多大？** 五个最大池化把边长除以 32（向下取整），{g}×{g} 的 fc6 再减去 {k}：S×S 的输入给出 (⌊S/32⌋ − {k}) × (⌊S/32⌋ − {k}) 个位置。',
    'custom…':
        '自定义…',
    'trained with scale jittering: Q = {{{scales}}}':
        '用尺度抖动训练：Q = {{{scales}}}',
    'trained at fixed S = {S}: Q = {{{scales}}}':
        '在固定尺度 S = {S} 上训练：Q = {{{scales}}}',
    "cost ({side}×{side} crops' worth of pixels)":
        '开销（相当于多少个 {side}×{side} 裁剪块的像素）',
    '{s}: pool5 {p}×{p} → map **{h}×{w}**':
        '{s}：pool5 {p}×{p} → 类别图 **{h}×{w}**',
    "image's own ({side})":
        '图像原尺寸（{side}）',
    'give at least one scale':
        '请至少给出一个尺度',
    'the size must be a whole number of pixels, got {size}':
        '尺寸必须是整数个像素，收到的是 {size}',
    '{size} px is too small: this fully-convolutional VGG needs at least {m}×{m} pixels, because fc6 is a {grid}×{grid} convolution over pool5 (input ÷ 32 = {pool5}×{pool5} here, less than {grid}×{grid})':
        '{size} 像素太小：这个全卷积 VGG 至少需要 {m}×{m} 像素，因为 fc6 是 pool5 上的 {grid}×{grid} 卷积（这里输入 ÷ 32 = {pool5}×{pool5}，小于 {grid}×{grid}）',
    '{size} px is too large for this demo: use at most {most} px':
        '{size} 像素对这个演示来说太大：最多使用 {most} 像素',
    'the crop grid must be 1 to 5 crops a side, got {grid}':
        '裁剪网格每边必须是 1 到 5 块，收到的是 {grid}',
    # --- pages/train.py: the shapes lab
    'that trained model is no longer in memory; train it again':
        '那个训练好的模型已不在内存中；请重新训练',
    "Kaiming (torchvision's default)":
        'Kaiming（torchvision 的默认初始化）',
    "N(0, 0.01) (the paper's)":
        'N(0, 0.01)（论文的做法）',
    "from a trained A (the paper's, for B–E)":
        '从训练好的 A 初始化（论文对 B–E 的做法）',
    'from the trained D (E as a deepened D)':
        '从训练好的 D 初始化（把 E 看作加深的 D）',
    "Train the mini VGGs on the shapes data yourself and test the paper's claims: does depth help, are 3×3 stacks better than one big kernel, why did the authors initialise E from A? Every run uses the same 6000 training and 1000 held-out images, so runs compare on equal terms.":
        '亲手在形状数据上训练 mini VGG，检验论文的结论：深度有帮助吗？3×3 的堆叠比一个大卷积核更好吗？作者为什么要从 A 初始化 E？每次训练都使用同样的 6000 张训练图像和 1000 张验证图像，所以各次训练可以公平比较。',
    'Your runs':
        '你的训练',
    'One-click experiments':
        '一键实验',
    'Custom run':
        '自定义训练',
    'Experiment':
        '实验',
    'Epochs':
        '轮次（epoch）',
    'Training images per epoch':
        '每轮的训练图像数',
    '▶️ Run this experiment':
        '▶️ 运行这个实验',
    'Configurations (one run each)':
        '配置（每个训练一次）',
    'Batch norm (the _bn variants; came after the paper)':
        '批归一化（_bn 变体；出现在论文之后）',
    "Scale jittering (the paper's S ∈ [256, 512], here 64–96 px)":
        '尺度抖动（论文的 S ∈ [256, 512]，这里是 64–96 像素）',
    'Initialisation':
        '初始化',
    'Learning rate':
        '学习率',
    'Seed':
        '种子',
    'Held-out images':
        '验证图像数',
    '▶️ Train':
        '▶️ 训练',
    'Nothing yet: start an experiment or a custom run above.':
        '还没有训练：请在上方开始一个实验或自定义训练。',
    "⏱️ **Training budget.** Runs go through one queue for the whole server, {workers} at a time, in arrival order (now: {running} running, {queued} waiting). Measured on a 2-core CPU (6000 images, the paper's recipe): one epoch takes 5.7 s for A, 7.7 s for B, 8.8 s for D and 10.1 s for E, so a four-run experiment of 8 epochs takes about 5 minutes. Identical runs are shared: if a classmate already started the same run, you watch theirs. Device: **{device}**.":
        '⏱️ **训练预算。** 整个服务器的训练都经过同一个队列，同时运行 {workers} 个，按到达顺序（当前：{running} 个在运行，{queued} 个在等待）。在双核 CPU 上实测（6000 张图像，论文的训练方案）：A 一轮 5.7 秒，B 7.7 秒，D 8.8 秒，E 10.1 秒，所以四组、每组 8 轮的实验大约需要 5 分钟。相同的训练会被共享：如果同学已经开始了同样的训练，你看到的就是他们的那一次。设备：**{device}**。',
    'Custom: {runs}':
        '自定义：{runs}',
    'Fewer images: quicker, less accurate runs.':
        '图像越少：训练越快，但准确率越低。',
    '✖ Cancel':
        '✖ 取消',
    'Remove':
        '移除',
    'Arms: {arms}':
        '实验组：{arms}',
    "The paper's recipe is the default: SGD, momentum {momentum}, weight decay {weight_decay:g}, dropout {dropout} on fc6/fc7, learning rate {lr:g} divided by 10 when held-out accuracy stops improving, batch {batch}.":
        '默认使用论文的训练方案：SGD，动量 {momentum}，权重衰减 {weight_decay:g}，fc6/fc7 上 dropout {dropout}，学习率 {lr:g}，当验证准确率不再提高时除以 10，批大小 {batch}。',
    'pick at least one configuration':
        '请至少选择一个配置',
    'Stop watching this run; it stops when nobody else watches it.':
        '不再关注这次训练；没有其他人关注时它就会停止。',
    'Remove these runs from your list (cancels any still waiting).':
        '从你的列表中移除这些训练（仍在等待的会被取消）。',
    'Held-out accuracy':
        '验证准确率',
    'Training time':
        '训练时间',
    'Parameters':
        '参数量',
    '🔎 Open in the other pages':
        '🔎 在其他页面中打开',
    '**The paper**':
        '**论文**',
    '**Measured here, on shapes**':
        '**在这里、在形状数据上的实测**',
    '**{run}**: waiting, place **{place}** in the queue':
        '**{run}**：等待中，排在队列第 **{place}** 位',
    '{run}: epoch {epoch}/{epochs}, batch {batch}/{batches}, loss {loss:.3f}':
        '{run}：第 {epoch}/{epochs} 轮，第 {batch}/{batches} 批，损失 {loss:.3f}',
    '{run}: starting':
        '{run}：正在开始',
    'Of the kept weights (the epoch with the best held-out accuracy) on 1000 images never trained on':
        '保留的权重（验证准确率最高的那一轮）在 1000 张从未参与训练的图像上的准确率',
    'Selects this model (variant and weights trained:ID) in the sidebar for every page.':
        '在侧边栏中为所有页面选中这个模型（变体和权重 trained:ID）。',
    'Gradient norm per layer over the first steps':
        '前几步中每一层的梯度范数',
    'Run':
        '哪次训练',
    'Each line is one training step; a network whose early layers get gradients thousands of times smaller than the last ones learns slowly there.':
        '每条线是一个训练步；如果网络前面几层得到的梯度比最后几层小几千倍，这些层就学得很慢。',
    '{variant} has no batch-norm version; untick batch norm or drop it':
        '{variant} 没有批归一化版本；请取消勾选批归一化或去掉它',
    '{run}: no longer in memory (the server keeps the last runs only)':
        '{run}：已不在内存中（服务器只保留最近的训练）',
    '{label} (`{variant}`, {init} init)':
        '{label}（`{variant}`，{init} 初始化）',
    '**{run}**: {accuracy:.1f} % held-out accuracy (best epoch: {best} of {epochs}; its weights are kept)':
        '**{run}**：验证准确率 {accuracy:.1f} %（最佳轮次：第 {best} 轮，共 {epochs} 轮；保留该轮的权重）',
    'cancelled':
        '已取消',
    # --- vggviz/train_figures.py: curves, bars and the verdicts
    'One run per arm: at a few epochs, runs differing only in their random seed can end far apart (8-epoch D runs here: 36 % to 74 %), so small gaps mean little; more epochs show where each run ends.':
        '每组只训练一次：只训练几轮时，仅随机种子不同的训练结果可能相差很远（这里 8 轮的 D：36 % 到 74 %），所以小的差距说明不了什么；多训练几轮才能看出每次训练最终到达哪里。',
    'Results{tail}.':
        '结果{tail}。',
    'chance (1 in 8)':
        '随机猜测（八分之一）',
    'epoch':
        '轮次',
    'gradient norm':
        '梯度范数',
    'chance':
        '随机猜测',
    'held-out accuracy (%)':
        '验证准确率（%）',
    '{runs} and {last}':
        '{runs}和{last}',
    ' ({details})':
        '（{details}）',
    'Disagreed with the paper: deeper was not steadily better; {best} came out best{tail}.':
        '与论文不一致：并不是越深越好；{best} 最好{tail}。',
    'Mixed: 3×3 stacks won in one pair and not in the other{tail}.':
        '结果不一：3×3 堆叠在一组中胜出，在另一组中没有{tail}。',
    'The plain N(0, 0.01) run has no result, so there is nothing to rescue{tail}.':
        '普通的 N(0, 0.01) 训练没有结果，所以谈不上挽救{tail}。',
    '{findings}{tail}.':
        '{findings}{tail}。',
    'training loss':
        '训练损失',
    '{results}; no result for {missing}':
        '{results}；{missing} 没有结果',
    'Not enough finished runs to compare{tail}.':
        '完成的训练不够，无法比较{tail}。',
    'On shapes, depth made no difference: all within {spread:.1f} points{tail}; the paper found deeper better on ImageNet, a much harder task.':
        '在形状数据上，深度没有带来差别：都在 {spread:.1f} 个百分点以内{tail}；论文发现在 ImageNet 上越深越好，那是难得多的任务。',
    'Agreed with the paper: deeper was better here too{tail}.':
        '与论文一致：在这里也是越深越好{tail}。',
    'Agreed with the paper: the 3×3 stacks beat the single larger kernels{tail}.':
        '与论文一致：3×3 堆叠胜过单个更大的卷积核{tail}。',
    "On shapes, 3×3 stacks and single larger kernels did equally well{tail}; the paper's 7 % gap was on ImageNet.":
        '在形状数据上，3×3 堆叠与单个更大的卷积核表现相当{tail}；论文中 7 % 的差距是在 ImageNet 上。',
    'Disagreed with the paper: the single larger kernels did better here{tail}.':
        '与论文不一致：在这里单个更大的卷积核表现更好{tail}。',
    'E from N(0, 0.01) stalled, and so did every remedy in this budget{tail}.':
        '从 N(0, 0.01) 开始的 E 停滞了，在这个预算内所有补救方法也都停滞了{tail}。',
    'Here E learned even from N(0, 0.01) ({plain}): the stall the paper feared did not happen at this scale{tail}.':
        '在这里 E 即使从 N(0, 0.01) 开始也学会了（{plain}）：论文担心的停滞在这个规模下没有发生{tail}。',
    'No run got past chance (12.5 %) in this budget, so nothing can be compared yet: give them more epochs or images{tail}.':
        '在这个预算内没有一次训练超过随机猜测（12.5 %），所以还无法比较：请给它们更多轮次或更多图像{tail}。',
    "As the paper feared, E from N(0, 0.01) stalled near chance ({plain}); but here the paper's remedy, {remedy}, stalled too (A's layers sit among N(0, 0.01) ones, whose gradients vanish: see the gradient norms); only {rescued} learned{tail}.":
        '正如论文所担心的，从 N(0, 0.01) 开始的 E 停滞在随机猜测附近（{plain}）；但在这里论文的补救方法 {remedy} 也停滞了（A 的层夹在 N(0, 0.01) 初始化的层之间，这些层的梯度会消失：见梯度范数）；只有 {rescued} 学会了{tail}。',
    'Agreed with the paper: E from N(0, 0.01) stalled near chance ({plain}), while {rescued} learned{tail}.':
        '与论文一致：从 N(0, 0.01) 开始的 E 停滞在随机猜测附近（{plain}），而 {rescued} 学会了{tail}。',
    'LRN made no difference (as in the paper)':
        'LRN 没有带来差别（与论文一致）',
    "D's 3×3 beat C's 1×1 (as in the paper)":
        'D 的 3×3 胜过 C 的 1×1（与论文一致）',
    '{run}<br>epoch %{{x}}: loss %{{y:.3f}}<extra></extra>':
        '{run}<br>第 %{{x}} 轮：损失 %{{y:.3f}}<extra></extra>',
    '{run}<br>epoch %{{x}}: %{{y:.1f}} %<extra></extra>':
        '{run}<br>第 %{{x}} 轮：%{{y:.1f}} %<extra></extra>',
    'step {n}':
        '第 {n} 步',
    'LRN helped here, unlike in the paper':
        'LRN 在这里有帮助，与论文不同',
    'LRN hurt here':
        'LRN 在这里有害',
    'C and D did equally well':
        'C 和 D 表现相当',
    "C's 1×1 beat D's 3×3, unlike in the paper":
        'C 的 1×1 胜过 D 的 3×3，与论文不同',
    '; ':
        '；',
    # --- vggviz/training.py: TrainingError messages and the lab's experiments
    'epochs must be at least 1, got {epochs}':
        '轮数至少为 1，收到的是 {epochs}',
    'batch size must be at least 2, got {batch}':
        '批大小至少为 2，收到的是 {batch}',
    'the training set must hold at least one batch and the held-out set one image':
        '训练集至少要有一批，验证集至少要有一张图像',
    'unknown initialisation {init}; choose one of: {choices}':
        '未知的初始化 {init}；请从以下选择：{choices}',
    'learning rate must be in (0, 10) and dropout in [0, 1)':
        '学习率必须在 (0, 10) 之间，dropout 必须在 [0, 1) 之间',
    'cannot initialise {name} from A: the layers differ':
        '无法从 A 初始化 {name}：两者的层不同',
    'this initialisation needs the trained {variant} that ships in assets/models; it is missing':
        '这种初始化需要 assets/models 中附带的训练好的 {variant}；它缺失了',
    'only the mini variants train here (on 64×64 shapes), not {variant}; try {mini}':
        '这里只能训练 mini 变体（在 64×64 的形状上），不能训练 {variant}；请试试 {mini}',
    '{variant} diverged (the loss became NaN) in epoch {epoch}; lower the learning rate':
        '{variant} 发散了（损失变成了 NaN），在第 {epoch} 轮；请降低学习率',
    'Depth: A vs B vs D vs E':
        '深度：A vs B vs D vs E',
    'Does a deeper network learn shapes better, on the same data and budget?':
        '在同样的数据和预算下，更深的网络能更好地学会形状吗？',
    'The paper (Table 3, single scale, ImageNet): top-1 error falls with depth, A 29.6 % → B 28.7 % → D 27.0 % (E 27.3 %; with scale jittering D 25.6 %, E 25.5 %).':
        '论文（表 3，单一尺度，ImageNet）：top-1 错误率随深度下降，A 29.6 % → B 28.7 % → D 27.0 %（E 27.3 %；使用尺度抖动时 D 25.6 %，E 25.5 %）。',
    '3×3 stacks vs one big kernel':
        '3×3 堆叠 vs 一个大卷积核',
    'Is a stack of 3×3 convolutions better than one larger convolution that sees as far?':
        '一叠 3×3 卷积比一个看得同样远的更大卷积更好吗？',
    'The paper (Sect. 4.1): B with each pair of 3×3 convs replaced by one 5×5 had a top-1 error 7 % higher than B (centre crop): a deep net with small filters beats a shallow one with larger filters.':
        '论文（第 4.1 节）：把 B 中每对 3×3 卷积换成一个 5×5 卷积后，top-1 错误率比 B 高 7 %（中心裁剪）：使用小卷积核的深层网络胜过使用大卷积核的浅层网络。',
    'Why the paper initialised from A':
        '论文为什么从 A 初始化',
    'Can a 19-layer plain network start from small random weights, and what rescues it?':
        '一个 19 层的普通网络能从很小的随机权重开始训练吗？什么能挽救它？',
    "The paper (Sect. 3.1): 'bad initialisation can stall learning due to the instability of gradient in deep nets', so E was started from a trained A (first four convs and the FC layers copied, the rest N(0, 0.01)); after submission the authors found Glorot-style initialisation works without pre-training. Batch norm came later (2015).":
        '论文（第 3.1 节）：“由于深层网络中梯度的不稳定，糟糕的初始化会使学习停滞”，所以 E 从训练好的 A 开始（复制前四个卷积层和全连接层，其余为 N(0, 0.01)）；投稿之后作者发现 Glorot 式初始化无需预训练也能奏效。批归一化是后来（2015 年）才出现的。',
    '1×1 convs (C) and LRN (A-LRN)':
        '1×1 卷积（C）与 LRN（A-LRN）',
    'Do LRN and 1×1 convolutions help?':
        'LRN 和 1×1 卷积有帮助吗？',
    "The paper (Table 3): LRN does not help (A-LRN 29.7 % vs A 29.6 % top-1 error); C's 1×1 convs beat B (28.1 % vs 28.7 %) but lose to D's 3×3 (27.0 %): non-linearity helps, and so does spatial context.":
        '论文（表 3）：LRN 没有帮助（A-LRN 29.7 % vs A 29.6 % 的 top-1 错误率）；C 的 1×1 卷积胜过 B（28.1 % vs 28.7 %），但不如 D 的 3×3（27.0 %）：非线性有帮助，空间上下文也有帮助。',
    'A (11 layers)':
        'A（11 层）',
    'B: pairs of 3×3':
        'B：成对的 3×3',
    'B-5×5: one 5×5 each':
        'B-5×5：每对换成一个 5×5',
    'D: 3×3 stacks':
        'D：3×3 堆叠',
    'D-7×7: one 5×5/7×7 each':
        'D-7×7：每组换成一个 5×5/7×7',
    'E from trained A':
        '从训练好的 A 开始的 E',
    'E + batch norm, N(0, 0.01)':
        'E + 批归一化，N(0, 0.01)',
    'E, Kaiming init':
        'E，Kaiming 初始化',
}
